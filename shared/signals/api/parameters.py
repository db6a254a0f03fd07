"""Query and path parameters the public routes share: ``FeedFilters``, ``limit``, ``cursor``, a signal id.

``FeedFilters`` is the one model of what a reader may filter the stored signals by; the JSON route,
the three syndication routes and the feed page take it through ``@with_filters``, which lays its
fields out as the route's own query parameters. That keeps Powertools' per-parameter validation
(messages such as ``min_score: Input should be less than or equal to 10``) and the full OpenAPI
schema of each parameter; Powertools' own model-as-query support documents only the bare types.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BeforeValidator, ConfigDict, StringConstraints

from signals.api.problems import ApiError
from signals.base_model import SignalsModel
from signals.config import get_settings
from signals.models import Category, as_utc

_settings = get_settings()
Limit = Annotated[
    int,
    Query(
        ge=1,
        le=_settings.page_limit_max,
        description=f"items per page (default {_settings.page_limit_default})",
    ),
]
LIMIT_DEFAULT = _settings.page_limit_default
Cursor = Annotated[
    str | None, Query(min_length=1, max_length=_settings.cursor_max_chars, description="opaque")
]
Sort = Annotated[str, Query(pattern="^(time|score|hot)$", description="time | score | hot")]
SignalId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]

MinScore = Annotated[int, Query(ge=1, le=10, description="only signals scoring at least this")]
Categories = Annotated[list[Category] | None, Query(description="category id; repeat for several")]
Text = Annotated[str | None, Query(min_length=1, max_length=_settings.query_param_max_chars)]
SourceId = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
        description="a source's id (see /v1/sources); an unknown one is a 400 listing the known ids",
    ),
]
#: one tag: no comma (API Gateway joins a repeated parameter's values with commas)
TagText = Annotated[
    str, StringConstraints(min_length=1, max_length=_settings.query_param_max_chars, pattern=r"^[^,]+$")
]
Tags = Annotated[
    list[TagText] | None,
    Query(
        max_length=_settings.tag_filter_max,
        description=f"tag; repeat for any of several (at most {_settings.tag_filter_max})",
    ),
]

#: one entity, as a reader writes it ("Anthropic", "open ai", "google-deepmind"): read as its slug;
#: it needs a letter or digit (what a slug is made of) and no comma
ENTITY_PATTERN = r"^[^,]*[A-Za-z0-9][^,]*$"
EntityText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=_settings.query_param_max_chars, pattern=ENTITY_PATTERN),
]
Entities = Annotated[
    list[EntityText] | None,
    Query(
        max_length=_settings.entity_filter_max,
        description=(
            "entity (a company, lab, model or person: a name or its slug, see /v1/entities); repeat for"
            f" any of several (at most {_settings.entity_filter_max}); 'Open AI', 'OpenAI' and 'openai'"
            " are one entity"
        ),
        examples=[["anthropic"]],
    ),
]


def _iso_8601(value: Any) -> Any:
    """Only ISO 8601 text is an instant here: pydantic would also read ``0.5`` as a Unix timestamp."""
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("must be an ISO 8601 date or date-time, e.g. 2026-06-02T17:00:00Z")
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
Instant = Annotated[datetime | None, BeforeValidator(_iso_8601), Query(description="UTC instant, ISO 8601")]
SearchText = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=_settings.search_query_max_chars,
        description=(
            "search the title, summary, tags and entities: every word required (case, accents and"
            " simple word endings ignored; words like 'the' dropped), at most"
            f" {_settings.search_query_terms_max} words; sort=score ranks by score, then newest"
        ),
        examples=["claude opus"],
    ),
]

UpdatedSince = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=_settings.query_param_max_chars,
        description=(
            "only signals scored or changed after this, oldest change first: an ISO 8601 instant, or"
            " the value the last answer returned (header Signals-Next-Updated-Since, field"
            ' next_updated_since), sent as is; see the README, "Since I last looked"'
        ),
        examples=["2026-06-02T17:00:00Z"],
    ),
]


class FeedFilters(SignalsModel):
    """What a reader filters the stored signals by (the query parameters of the same names)."""

    model_config = ConfigDict(frozen=True)

    min_score: MinScore = 1
    category: Categories = None
    tag: Tags = None
    source: SourceId = None
    entity: Entities = None
    since: Instant = None
    until: Instant = None
    updated_since: UpdatedSince = None
    q: SearchText = None

    def checked(self) -> FeedFilters:
        """These filters, once the rule no single parameter can check holds: ``since`` ≤ ``until``."""
        if self.since and self.until and as_utc(self.since) > as_utc(self.until):
            raise ApiError(
                400, "invalid_parameter", "Invalid parameter", "since must not be later than until."
            )
        self.entity_slugs()
        if self.updated_since is not None:
            from signals.api.updated_since import lower_bound

            lower_bound(self.updated_since)  # a malformed, future or too old value: a 400 now
        if self.q is not None:
            check_search(self.q)
        return self

    def entity_slugs(self) -> list[str]:
        """The ``entity`` values as slugs (``models.entity_slug``); one with no letter or digit: a 400."""
        from signals.models.entity_slug import entity_slug

        slugs = [entity_slug(name) for name in self.entity or ()]
        if "" in slugs:
            raise ApiError(
                400,
                "invalid_parameter",
                "Invalid parameter",
                "entity: name an entity with letters or digits, e.g. entity=anthropic (all: /v1/entities).",
                parameter="entity",
            )
        return list(dict.fromkeys(slugs))

    def category_ids(self) -> list[str]:
        """The ``category`` values as a link repeats them."""
        return [c.value for c in self.category or ()]

    def query_params(self) -> dict[str, Any]:
        """These filters as a link's query (lists repeat the name; defaults and empties left out)."""
        params: dict[str, Any] = {
            **self.model_dump(exclude={"category", "tag", "entity"}),
            "category": self.category_ids(),
        }
        params["tag"] = list(self.tag or ())
        params["entity"] = self.entity_slugs()
        if params["min_score"] == 1:
            params["min_score"] = None
        return params


def with_filters(
    *fields: str,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Route decorator: the route's ``filters: FeedFilters`` parameter becomes the query parameters
    ``fields`` (default: every filter), in place and documented as declared above; the route
    receives them as one ``FeedFilters``."""
    names = fields or tuple(FeedFilters.model_fields)
    hints = typing.get_type_hints(FeedFilters, include_extras=True)
    exposed = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=hints[name],
            default=FeedFilters.model_fields[name].default,
        )
        for name in names
    ]

    def decorate(route: Callable[..., Any]) -> Callable[..., Any]:
        # Powertools reads the route's signature to validate and document its parameters: give it
        # the real annotations (the routes' future import leaves strings) with the filters spread.
        route_hints = typing.get_type_hints(route, include_extras=True)
        params: list[inspect.Parameter] = []
        for param in inspect.signature(route).parameters.values():
            if param.name == "filters":
                params += exposed
            else:
                params.append(
                    param.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=route_hints[param.name])
                )

        @functools.wraps(route)
        def spread(**kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in names if name in kwargs}
            return route(filters=FeedFilters(**values).checked(), **kwargs)

        spread.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            params, return_annotation=route_hints.get("return", inspect.Signature.empty)
        )
        return spread

    return decorate


def check_search(q: str) -> None:
    """A ``q`` must keep at least one word after stop words, and at most ``search_query_terms_max``."""
    from signals.models.search_terms import terms

    found = terms(q)
    if not found:
        raise ApiError(
            400,
            "invalid_search",
            "Invalid search",
            f"q: {q!r} has no word to search for once common words (the, of, and...) and single"
            " letters are dropped; add a distinctive word, e.g. q=claude opus.",
            parameter="q",
        )
    most = _settings.search_query_terms_max
    if len(found) > most:
        raise ApiError(
            400,
            "invalid_search",
            "Invalid search",
            f"q: {len(found)} words ({' '.join(found)}); every word is required, so use at most {most}.",
            parameter="q",
        )
