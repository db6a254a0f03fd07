"""The curated list of feeds (``sources.yaml``), validated on load.

People edit ``sources.yaml``; ``make sources`` writes the same list as ``sources.json``
(``sources_json``), which the ingest function bundles: reading JSON, its cold start does not import
PyYAML (~6 ms, a regular expression PyYAML compiles at import). A test fails when the two differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator

from signals.base_model import SignalsModel

SourceKind = Literal["lab", "research", "policy", "security", "aggregator", "news"]


class SourcesError(ValueError):
    """``sources.yaml`` is unusable; the message names the entry and the field."""


class Source(SignalsModel):
    """One feed to poll."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="stable slug, used in keys")
    name: str = Field(min_length=1, max_length=200)
    url: str = Field(description="the feed's URL (http or https)")
    authority: float = Field(1.0, ge=0.0, le=2.0, description="authority weight used by scoring")
    poll_interval_s: int = Field(3600, ge=300, le=7 * 24 * 3600)
    enabled: bool = True
    kind: SourceKind = "news"

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if not value.lower().startswith(("http://", "https://")) or len(value) > 2000:
            raise ValueError("must be an http(s) URL")
        return value


def parse_sources(document: object, *, origin: str = "sources") -> list[Source]:
    """Sources from a loaded YAML document (a list, or a mapping with a ``sources`` list)."""
    entries = document.get("sources") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise SourcesError(f"{origin}: expected a list of sources (or a 'sources:' key holding one)")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        label = f"entry {index}"
        if isinstance(entry, dict) and entry.get("id"):
            label += f" (id {entry['id']!r})"
        if not isinstance(entry, dict):
            raise SourcesError(f"{origin}: {label}: expected a mapping of fields")
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"field {'.'.join(str(p) for p in err['loc']) or '(entry)'!r}: {err['msg']}"
                for err in exc.errors()
            )
            raise SourcesError(f"{origin}: {label}: {problems}") from None
        if source.id in seen:
            raise SourcesError(f"{origin}: {label}: field 'id': duplicate id {source.id!r}")
        seen.add(source.id)
        sources.append(source)
    return sources


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file (YAML, or JSON when it ends in ``.json``); raises
    :class:`SourcesError` naming the bad entry and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise SourcesError(f"{path}: cannot read: {exc}") from exc
    else:
        import yaml  # only for YAML: the ingest function reads its bundled sources.json

        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SourcesError(f"{path}: cannot read: {exc}") from exc
    return parse_sources(document, origin=str(path.name))


def sources_json(path: str | Path) -> str:
    """The sources file as ``sources.json`` holds it (validated, every field written, stable)."""
    sources = [source.model_dump() for source in load_sources(path)]
    return json.dumps({"sources": sources}, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # make sources: python -m signals.feeds.sources sources.yaml > sources.json
    import sys

    sys.stdout.write(sources_json(sys.argv[1]))
