"""A stand-in for the Lambda context object, with a real remaining-time clock."""

from __future__ import annotations

import time
import uuid


class LambdaContext:
    """What handlers (and Powertools) read from the Lambda context."""

    def __init__(self, function: str, *, timeout_ms: int = 60_000, memory_mb: int = 512):
        self.function_name = f"signals-local-{function}"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self.aws_request_id = uuid.uuid4().hex
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
