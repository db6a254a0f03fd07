"""X-Ray tracing: Powertools' Tracer, built on a function's first invocation instead of at import.

``Tracing: Active`` (template.yaml) makes Lambda record each invocation; the Tracer adds a
``## handler`` subsegment with the handler's annotations (searchable in X-Ray: ``annotation.items``)
and a subsegment per AWS call. Handlers decorate with ``tracer.capture_lambda_handler`` and call
``tracer.annotate(...)``.

Why lazily: constructing Powertools' Tracer imports ``aws_xray_sdk.core``, whose recorder builds
botocore clients for its sampler: botocore at import, which the cold-start rules forbid
(``tests/unit/test_cold_imports.py``). Importing ``aws_lambda_powertools.tracing`` itself loads
neither. So the Tracer (``auto_patch=False``) is made when the first event arrives, and botocore is
patched then (``patch(["botocore"])`` wraps ``BaseClient._make_api_call`` on the class, so clients
made before the patch are traced too).

Off outside Lambda and with ``POWERTOOLS_TRACE_DISABLED=true`` (Powertools' own rule), through the
same calls: the Tracer is then built disabled over a provider that records nothing, so tests, the
local demo and ``signals`` commands never load the X-Ray SDK. Tests inject a provider with
``tracer.use(provider, disabled=False)``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice
from aws_lambda_powertools.tracing import Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

#: Libraries patched on the first invocation: every boto3/botocore call becomes a subsegment.
PATCHED_MODULES = ("botocore",)

Handler = TypeVar("Handler", bound=Callable[..., Any])


class _NoSegment(BaseSegment):
    """The subsegment of a disabled tracer: takes everything, keeps nothing."""

    def close(self, end_time: int | None = None) -> None: ...
    def add_subsegment(self, subsegment: Any) -> None: ...
    def remove_subsegment(self, subsegment: Any) -> None: ...
    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class NoTracing(BaseProvider):
    """The provider of a disabled tracer (outside Lambda): no X-Ray SDK, nothing recorded."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        yield _NoSegment()

    def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> Any:
        raise NotImplementedError("no async handlers here")

    def put_annotation(self, key: str, value: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def patch(self, modules: Any) -> None: ...
    def patch_all(self) -> None: ...


def tracing_disabled() -> bool:
    """Powertools' rule: off with ``POWERTOOLS_TRACE_DISABLED``, outside Lambda, or under SAM local."""
    if resolve_truthy_env_var_choice(env=os.getenv("POWERTOOLS_TRACE_DISABLED", "false")):
        return True
    return not os.getenv("LAMBDA_TASK_ROOT") or bool(os.getenv("AWS_SAM_LOCAL"))


class LazyTracer:
    """One Powertools ``Tracer`` per process, made (and botocore patched) on the first invocation."""

    def __init__(self) -> None:
        self._tracer: Tracer | None = None
        self._provider: BaseProvider | None = None
        self._disabled: bool | None = None

    def use(self, provider: BaseProvider | None, *, disabled: bool | None = None) -> None:
        """Build the Tracer anew over ``provider`` (None: X-Ray's recorder) on the next invocation."""
        self._provider, self._disabled, self._tracer = provider, disabled, None
        Tracer._reset_config()  # Powertools keeps the first Tracer's provider for every later one

    @property
    def tracer(self) -> Tracer:
        if self._tracer is None:
            disabled = tracing_disabled() if self._disabled is None else self._disabled
            provider = self._provider or (NoTracing() if disabled else None)
            self._tracer = Tracer(auto_patch=False, disabled=disabled, provider=provider)
            self._tracer.patch(modules=PATCHED_MODULES)  # a no-op when disabled
        return self._tracer

    @property
    def built(self) -> bool:
        return self._tracer is not None

    def capture_lambda_handler(self, handler: Handler) -> Handler:
        """``Tracer.capture_lambda_handler``, applied when the first event arrives.

        Never with the response as metadata: the API's answers carry page bodies (past X-Ray's 64 KiB
        segment limit) and, on create and rotate, a subscription's signing secret. Figures go in
        annotations (``annotate``); an exception still goes in as metadata.
        """
        traced: dict[int, Callable[..., Any]] = {}

        @functools.wraps(handler)
        def invoke(event: Any, context: Any) -> Any:
            current = self.tracer
            if id(current) not in traced:  # the first event (or a tracer a test swapped in)
                traced.clear()
                traced[id(current)] = current.capture_lambda_handler(handler, capture_response=False)
            return traced[id(current)](event, context)

        invoke.traced_by = self  # type: ignore[attr-defined]
        return invoke  # type: ignore[return-value]

    def annotate(self, **values: str | int | float | bool | None) -> None:
        """Annotations of the current invocation's subsegment (None values are left out)."""
        for key, value in values.items():
            if value is not None:
                self.tracer.put_annotation(key=key, value=value)


tracer = LazyTracer()

__all__ = ["PATCHED_MODULES", "LazyTracer", "NoTracing", "tracer", "tracing_disabled"]
