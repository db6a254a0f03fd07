"""How a command says no: one line on stderr, never a traceback.

- ``UsageError``: the input was wrong (a bad URL, an unknown scheme or source, a file that is not a
  feed); exit status 2, as argparse uses for a bad option.
- Any other failure (AWS unreachable, a bug) is one line too, exit status 1; ``SIGNALS_DEBUG=1``
  shows the traceback for a bug report.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import TextIO

USAGE_EXIT = 2  # bad input, as argparse exits for a bad option
FAILURE_EXIT = 1  # the command could not do its work (AWS unreachable, a bug)


class UsageError(Exception):
    """Bad input from the person at the keyboard: the message says what is wrong and what is expected."""


def one_line(text: object) -> str:
    """The first line of a message, without trailing punctuation noise (exception texts can be long)."""
    first = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return first[:300]


def labels_error(where: object, exc: Exception) -> UsageError:
    """A labels file that cannot be read or is not JSONL rows, said in one line (the first of
    pydantic's errors, not its multi-line report)."""
    errors = getattr(exc, "errors", None)
    if callable(errors) and errors():
        first = errors()[0]
        detail = f"{'.'.join(map(str, first.get('loc', ()))) or 'row'}: {first.get('msg', '')}"
    else:
        detail = getattr(exc, "strerror", None) or one_line(exc)
    return UsageError(
        f"{where}: not a labels file ({detail}); expected JSONL rows with title, category and score"
    )


def run_reporting(command: str, run: Callable[[], int], *, err: TextIO | None = None) -> int:
    """Run a command's body; a UsageError or any other exception becomes one line on ``err``."""
    err = err or sys.stderr
    try:
        return int(run() or 0)
    except UsageError as exc:
        print(f"signals {command}: {one_line(exc)}", file=err)
        return USAGE_EXIT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the one place a failure becomes a line instead of a traceback
        if os.environ.get("SIGNALS_DEBUG"):
            traceback.print_exc(file=err)
        print(f"signals {command}: {_describe(exc)}", file=err)
        return FAILURE_EXIT


def _describe(exc: BaseException) -> str:
    """What failed, said for a person: AWS errors name their code and the setting to check."""
    module = type(exc).__module__ or ""
    name = type(exc).__name__
    if module.startswith(("botocore", "boto3")):
        response = getattr(exc, "response", None)
        code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
        return (
            f"AWS call failed ({code or name}): {one_line(exc)} (check AWS credentials, AWS_ENDPOINT_URL "
            "and the table/queue/bucket settings; `signals demo` prints the local ones)"
        )
    return f"failed: {name}: {one_line(exc)} (SIGNALS_DEBUG=1 shows the traceback)"
