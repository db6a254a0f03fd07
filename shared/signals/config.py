"""Settings: every limit, name and switch Signals uses, read once per cold start.

One pydantic model read from the environment (``SIGNALS_<FIELD>``, case-insensitive, except the
resource names, which the template injects without prefix: a field's ``validation_alias`` choices are
its variable names). Values are parsed as pydantic-settings would: JSON for lists, pydantic's own
coercion for the rest. Code asks ``get_settings()``; nothing else reads ``os.environ``.

The reader is ``_from_environ`` below, not pydantic-settings: that package costs every handler
~40 ms of cold import (``tests/bench/bench_imports_build.py``) for a dozen lines of work here.
"""

from __future__ import annotations

import json
import os
import typing
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, model_validator

from signals.base_model import SignalsModel

ENV_PREFIX = "SIGNALS_"


def _search_backend_built(value: str) -> str:
    """``SIGNALS_SEARCH_BACKEND``: only ``postings`` (term postings in the table) is built. The
    OpenSearch Serverless value is reserved for the switch docs/capacity.md describes; choosing it
    stops the container at configuration time instead of answering searches some other way."""
    if value != "postings":
        raise ValueError(
            f"search_backend={value!r} is not built: only 'postings' (term postings in the table)"
            " exists; see docs/capacity.md, section Search, for when an OpenSearch collection takes over"
        )
    return value


class Settings(SignalsModel):
    """All configuration, with production defaults; the template and the local runtime override.

    ``Settings()`` reads the environment; keyword arguments (by field name) override it.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=False)

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**_from_environ(type(self)), **values})

    # --- resources (names injected by template.yaml / the local runtime) ---
    table_name: str = Field("signals", validation_alias=AliasChoices("TABLE_NAME", "SIGNALS_TABLE_NAME"))
    bucket_name: str = Field(
        "signals-archive", validation_alias=AliasChoices("BUCKET_NAME", "SIGNALS_BUCKET_NAME")
    )
    score_queue_url: str = Field(
        "", validation_alias=AliasChoices("SCORE_QUEUE_URL", "SIGNALS_SCORE_QUEUE_URL")
    )
    delivery_queue_url: str = Field(
        "", validation_alias=AliasChoices("DELIVERY_QUEUE_URL", "SIGNALS_DELIVERY_QUEUE_URL")
    )
    score_dlq_url: str = Field("", validation_alias=AliasChoices("SCORE_DLQ_URL", "SIGNALS_SCORE_DLQ_URL"))
    delivery_dlq_url: str = Field(
        "", validation_alias=AliasChoices("DELIVERY_DLQ_URL", "SIGNALS_DELIVERY_DLQ_URL")
    )
    aws_endpoint_url: str | None = Field(None, validation_alias=AliasChoices("AWS_ENDPOINT_URL"))
    aws_region: str = Field("us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))

    # --- sources ---
    sources_file: str | None = None  # default: the sources.json bundled beside the ingest handler

    # --- fetching (ingest) ---
    user_agent_name: str = "Signals"
    contact_url: str = "https://github.com/signals-news/signals"
    fetch_connect_timeout_s: float = 10.0
    fetch_read_timeout_s: float = 15.0
    fetch_total_deadline_s: float = 20.0
    fetch_max_body_bytes: int = 5 * 1024 * 1024  # counted after decompression
    fetch_max_redirects: int = 5
    fetch_concurrency: int = 8
    fetch_allow_loopback: bool = False  # the local demo and loopback tests fetch from 127.0.0.1
    fetch_min_interval_s: int = 15 * 60
    backoff_base_s: int = 15 * 60
    backoff_ceiling_s: int = 24 * 3600
    retry_after_max_s: int = 7 * 24 * 3600
    ingest_time_reserve_ms: int = 30_000  # stop starting fetches when less than this remains
    max_items_per_feed: int = 500
    summary_max_chars: int = 1000
    title_max_chars: int = 400
    future_date_tolerance_s: int = 24 * 3600
    sqs_send_batch: int = 10  # SQS hard limit

    # --- scoring ---
    signal_summary_max_chars: int = 300
    # a first sentence longer than the summary's limit is kept whole up to this, else cut at a clause
    signal_summary_sentence_max_chars: int = 600
    signal_context_max_chars: int = 600  # the context paragraph: whole sentences after the summary
    # "Earlier in this story": a signal joins at most this many threads (entity x event type), one
    # index entry each (THREAD#...), so a page reads at most this many partitions
    story_threads_per_signal_max: int = 3
    story_thread_list_max: int = 5  # earlier signals a page or GET /v1/signals/{id}/related lists
    story_window_days: int = 7  # items further apart than this are never the same story
    outbox_clear_attempts: int = 5  # a clear of sent events' marks cancelled by contention is retried

    # --- which analyst scores items ---
    # judge: the learned judge (model/judge.json.gz) with the rules around it; rules: the rules alone;
    # bedrock: the judge, plus a Bedrock model's notes for the items the judge finds likely 6+
    enricher: Literal["judge", "rules", "bedrock"] = "judge"
    judge_model_path: str | None = None  # default: the model file shipped with the package
    # --- model analyst (Amazon Bedrock, issue 8; off unless enricher == "bedrock") ---
    # the gate: items the judge gives at least this chance of scoring 6+ get the model's notes
    # (chosen on held-out feed groups: see docs/capacity.md); analysts without a judge use the score
    bedrock_min_p6: float = 0.05
    bedrock_model_id: str = "amazon.nova-pro-v1:0"  # on-demand foundation model with tool use
    bedrock_min_score: int = 6  # without the judge's P(6+) (enricher rules): the score that qualifies
    bedrock_score_band: int = 2  # the model may move the final score at most this far from the rules'
    bedrock_prompt_version: str = "analyst-v1"  # part of the cache key: bump when the prompt changes
    bedrock_daily_token_budget: int = 2_000_000  # input + output tokens per UTC day, then rules only
    bedrock_daily_usd_budget: float = 5.0  # estimated dollars per UTC day, then rules only
    bedrock_usd_per_1k_input_tokens: float = 0.0008  # Nova Pro on-demand list price (us-east-1)
    bedrock_usd_per_1k_output_tokens: float = 0.0032
    bedrock_timeout_s: float = 20.0  # read timeout of one Converse call
    bedrock_max_attempts: int = 2  # botocore attempts per call (a throttle then falls back)
    bedrock_max_tokens: int = 1024  # output cap per call (also the budget reservation for output)
    bedrock_max_input_chars: int = 4000  # item summary text sent to the model is cut here
    bedrock_cache_ttl_days: int = 90  # cached model answers expire (DynamoDB TTL) after this

    # --- API ---
    page_limit_default: int = 20
    page_limit_max: int = 100
    # The HMAC key signing pagination cursors (signals.api.cursor_key). No default: in AWS it is read
    # from the SSM SecureString named by cursor_secret_parameter (template: CursorSecretParameterName);
    # the local runtime and the tests set cursor_secret itself, which then wins.
    cursor_secret: str = ""
    cursor_secret_parameter: str = ""  # SSM parameter name, e.g. /signals/prod/cursor-secret
    cursor_secret_min_chars: int = 32  # a shorter key (or a once-public default) stops the API at init
    cursor_secret_max_age_s: int = 24 * 3600  # Powertools caches the SSM value this long (once per container)
    cursor_max_age_s: int = 24 * 3600
    public_base_url: str = ""  # absolute links in feeds; derived from the request when empty
    cache_max_age_s: int = 60
    page_cache_max_age_s: int = 300  # signal pages and OpenAPI change rarely
    page_default_min_score: int = 3  # the front page hides lower scores (and off-topic) unless asked
    card_publishers_max: int = 3  # a front-page card names this many publishers, then "and N more"
    hot_half_life_h: float = 24.0  # sort=hot: significance halves every this many hours of age
    hot_window_days: int = 7  # sort=hot ranks signals published in this window only
    hot_max_candidates: int = 500  # sort=hot reads at most this many signals per page (then approximate)
    hot_read_chunk: int = 25  # sort=hot reads each score tier this many signals at a time
    # updated_since (api/updated_since.py, ranking/changes.py): a poll lists changes up to now minus
    # this lag only, so a scoring transaction still in flight (its time read from the clock up to one
    # scorer timeout, 60 s, before it commits; plus clock skew) can never land behind a returned value
    updated_since_settle_s: int = 120
    updated_since_scan_max: int = 500  # a page reads at most this many changes (then a cursor to go on)
    updated_since_max_age_days: int = 366  # an older value is a 400 (months of the change index walked)
    tags_list_max: int = 500  # /v1/tags returns at most this many tags (by count)
    query_param_max_chars: int = 200  # tag/source filter values longer than this are rejected
    tag_filter_max: int = 10  # repeated tag parameters (any of them) a feed query may name at most
    # --- follow: entity filters, /entities, /tags, /v1/opml (models/entity_slug.py, api/follow_routes.py) ---
    entity_slug_max_chars: int = 64  # an entity slug is cut to this many characters
    entity_filter_max: int = 10  # repeated entity parameters (any of them) a feed query may name at most
    entities_per_signal_max: int = 8  # a signal gets entity postings (and counts) for its first this many
    entities_list_max: int = 500  # /v1/entities returns at most this many entities (by count)
    opml_tags_max: int = 50  # /v1/opml lists the feeds of this many tags, most used first
    opml_entities_max: int = 50  # ...and of this many entities, most used first
    # --- search (q=): models/search_terms.py, ranking/search.py, docs/capacity.md "Search" ---
    search_terms_per_item_max: int = 12  # term postings per signal (title first; capacity.md "Search")
    # index postings per signal (min-score, tags, sources, entities, then search terms fill the rest);
    # a scoring transaction that moves them all must fit DynamoDB's 100 actions: 39 is the most
    # (scoring_transaction_actions_max below, checked when the settings are read)
    postings_per_signal_max: int = 39
    search_query_terms_max: int = 6  # terms a q= may keep after stop words (every one required)
    search_query_max_chars: int = 200  # characters a q= may have
    search_probe_chunk: int = 5  # q= with several terms: postings read to try a term not read yet
    search_rank_candidates_max: int = 500  # q= with sort=score ranks at most this many newest matches
    # where q= searches: "postings" (the table); "opensearch" is not built and fails here, at start
    search_backend: Annotated[Literal["postings", "opensearch"], AfterValidator(_search_backend_built)] = (
        "postings"
    )
    unknown_source_listed_max: int = 40  # an unknown `source` answer lists at most this many valid ids
    cursor_max_chars: int = 4096

    # --- webhooks ---
    local_mode: bool = False  # allows http:// to loopback for webhook URLs (the demo)
    # ...and only to these loopback ports (the demo sets its receiver's): not moto's, not the API's
    local_loopback_ports: list[int] = []
    delivery_timeout_s: float = 10.0
    delivery_connect_timeout_s: float = 5.0
    # SIGNALS_DELIVERY_RESPONSE_PREFIX_BYTES: at most this much of a subscriber's answer body is read
    # (for the log); a longer answer is never a failure, the rest is simply not read
    delivery_response_prefix_bytes: int = 4 * 1024
    # Delivery attempts one subscriber host may get from us per window (all subscriptions and keys
    # together): past it an attempt waits for the next window (deferred, not failed), so no key can
    # point Signals at a third party as a flood.
    delivery_attempts_per_host_max: int = 120
    delivery_attempts_per_host_window_s: int = 60
    delivery_retry_schedule_s: list[int] = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    delivery_jitter_fraction: float = 0.2
    delivery_disable_after_s: int = 5 * 24 * 3600
    secret_rotation_overlap_s: int = 24 * 3600
    sqs_max_delay_s: int = 900  # SQS hard limit; longer waits hop
    webhook_allowed_ports: list[int] = [443, 8443]  # subscription URLs (loopback in local mode: any)
    delivery_concurrency: int = 8  # deliveries in flight at once within one batch
    delivery_lease_s: int = 60  # an attempt claimed but not recorded may be re-made after this
    delivery_max_attempts_logged: int = 100  # manual retries stop here (keeps the log item small)
    fanout_page_size: int = 500  # index rows read per fan-out step; the rest continues in a new message
    # SUBIDX#<category>#<shard>, shard = sha256(sub id) % fanout_shards: a burst of signals never
    # reads one partition past DynamoDB's 3,000 RCU/s (10,000 subscribers: ~12,500 RCU/s unsharded).
    # Rows are keyed by it: fix it per table (changing it needs the index rows rewritten).
    fanout_shards: int = 8
    api_body_max_bytes: int = 16 * 1024  # request bodies above this get 400 body_too_large
    # a counter item per key (SUBCOUNT#owner#<key>), changed in the subscription's own transaction
    subscriptions_per_key_max: int = 100
    # one key may point at most this many subscriptions at one host (SUBCOUNT#host#<key>#<host>):
    # a key cannot aim the pipeline's deliveries at a third party's server
    subscriptions_per_host_max: int = 5
    # `signals migrate ...` (one-off admin jobs): items per Scan page, and how many bracketed recounts
    # subscription-counters makes before it gives up on counters that live writes keep moving
    migrate_scan_page_size: int = 500
    migrate_counter_rounds: int = 5
    # sends by hand (POST .../test and .../deliveries/<id>/retry), fixed windows (RATE#<scope>#<window>):
    # per subscription and per key; over either, 429 rate_limited with Retry-After (the window's end)
    manual_sends_per_subscription_max: int = 5
    manual_sends_per_subscription_window_s: int = 60
    manual_sends_per_key_max: int = 30
    manual_sends_per_key_window_s: int = 3600
    demo_api_key: str | None = None  # SIGNALS_DEMO_API_KEY: the key `signals demo` creates
    demo_digest_days: int = 14  # the demo builds the digests of its corpus's last this many days with signals
    # SIGNALS_API_KEY_MIN_CHARS / SIGNALS_API_KEY_MIN_BITS: a chosen API key (SIGNALS_DEMO_API_KEY,
    # store_key) needs this many url-safe characters and this much estimated entropy (random keys: ~200)
    api_key_min_chars: int = 32
    api_key_min_bits: int = 128

    # --- the daily digest (ranking/daily_digest.py, storage/digest_records.py) ---
    # one digest per UTC day (the signals published that day); the schedule builds yesterday's
    digest_list_max: int = 10  # most signals a digest lists (each story once: a signal is one story)
    digest_notable_score: int = 7  # "L at 7+": a day with none at or above this is a quiet day, no list
    digest_feed_days: int = 14  # days /v1/digest.rss|atom|json carry (one entry per day)

    # --- operations (stats, health, redrive) ---
    counter_shards: int = 8  # COUNTS/TOTAL#<n> and MONTHS/<month>#<n>: writers spread over n items
    stats_shards: int = 4  # STATS#<day>#<n> partitions the writers spread their ADDs over (hot-key guard)
    stats_days_default: int = 7  # days /v1/stats and /ops show when not asked
    stats_days_max: int = 31  # most days one /v1/stats request may read (days x shards GetItems)
    health_check_timeout_s: float = 3.0  # each reachability probe of /v1/health gives up after this
    redrive_max_default: int = 1000  # `signals redrive` moves at most this many messages unless --max
    redrive_visibility_s: int = 60  # DLQ messages in flight during a redrive stay hidden this long

    # --- telemetry ---
    metrics_namespace: str = Field(
        "Signals", validation_alias=AliasChoices("POWERTOOLS_METRICS_NAMESPACE", "SIGNALS_METRICS_NAMESPACE")
    )

    @model_validator(mode="after")
    def _scoring_transaction_fits(self) -> Settings:
        """A scoring transaction that moves a signal (every posting and thread entry put anew and
        deleted at the old time) must fit DynamoDB's 100 actions: refuse settings that could not."""
        worst = scoring_transaction_actions_max(
            self.postings_per_signal_max, self.story_threads_per_signal_max
        )
        if worst > TRANSACT_ACTIONS_MAX:
            raise ValueError(
                f"postings_per_signal_max={self.postings_per_signal_max} with story_threads_per_signal_max="
                f"{self.story_threads_per_signal_max} lets a scoring transaction reach {worst} actions, over"
                f" DynamoDB's {TRANSACT_ACTIONS_MAX}; lower either"
            )
        return self


TRANSACT_ACTIONS_MAX = 100  # DynamoDB TransactWriteItems
MOTO_EXPRESSION_CACHE_MAX = 1024  # local moto only: parsed UpdateExpressions kept (local/moto_expressions)
MOTO_CONDITION_MEMO_MAX = 300  # local moto: condition parses kept per write request (local/moto_conditions)
STORY_KEYS_MAX = 10  # candidate keys a report registers (scoring/stories.write_keys: URL, title, 8 bands)


def scoring_transaction_actions_max(postings: int, threads: int) -> int:
    """The most actions one scoring transaction can have (``storage/story_records._story_actions``):
    item-seen, signal, month registry, postings, threads and change posting put; the old postings,
    threads and change posting deleted when the signal's time moves; story keys; one counter update."""
    return 3 + postings + threads + 1 + (postings + threads + 1) + STORY_KEYS_MAX + 1


def _env_names(name: str, alias: Any) -> list[str]:
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [ENV_PREFIX + name.upper()]


def _structured(annotation: Any) -> bool:
    """Lists, tuples, sets, dicts and models come as JSON text, as pydantic-settings reads them."""
    origins = {typing.get_origin(a) for a in (annotation, *typing.get_args(annotation))}
    return bool(origins & {list, tuple, set, frozenset, dict}) or (
        isinstance(annotation, type) and issubclass(annotation, (BaseModel, list, dict))
    )


def _from_environ(model: type[BaseModel]) -> dict[str, Any]:
    """The fields set in the environment, by field name (variable names are case-insensitive)."""
    environ = {key.upper(): value for key, value in os.environ.items()}
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        for env_name in _env_names(name, field.validation_alias):
            raw = environ.get(env_name.upper())
            if raw is None:
                continue
            if _structured(field.annotation):
                try:
                    values[name] = json.loads(raw)
                except ValueError as error:
                    raise ValueError(f"{env_name} must be JSON (e.g. [1, 2]): {error}") from None
            else:
                values[name] = raw
            break
    return values


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this container, read once."""
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests and the local runtime change the environment)."""
    get_settings.cache_clear()
