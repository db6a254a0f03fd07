"""The key that signs pagination cursors: from SSM Parameter Store in AWS, from the environment locally.

In AWS the API reads the SecureString named by ``SIGNALS_CURSOR_SECRET_PARAMETER`` with Powertools
Parameters (decrypted, cached for ``cursor_secret_max_age_s``: once per container in practice).
``SIGNALS_CURSOR_SECRET`` overrides it (the local runtime and the tests set it). A missing key, a
key shorter than ``cursor_secret_min_chars`` or a once-public default is refused: the API function
calls :func:`require_cursor_key` at init, so a misconfigured stack fails to start, saying how to fix
it, instead of answering every paged request with a 500 or signing cursors anyone can forge.
"""

from __future__ import annotations

from signals.config import get_settings

#: Defaults that were once published in this repository: anyone could forge cursors with them.
KNOWN_PUBLIC_KEYS = frozenset(
    {
        "change-me-change-me-change-me-change-me",  # the template's old CursorSecret default
        "local-dev-cursor-secret-change-me",  # the settings' old default
    }
)

_FIX = (
    "put a random key of at least {min} characters in an SSM SecureString (e.g. `aws ssm put-parameter "
    '--type SecureString --name /signals/prod/cursor-secret --value "$(openssl rand -base64 48)"`) and '
    "deploy with CursorSecretParameterName naming it (locally: set SIGNALS_CURSOR_SECRET); "
    "see docs/operations.md#cursor-key"
)


class CursorKeyError(RuntimeError):
    """No usable cursor key: the API must not start."""


def _refuse(reason: str) -> CursorKeyError:
    return CursorKeyError(f"{reason}: {_FIX.format(min=get_settings().cursor_secret_min_chars)}")


def check_strength(key: str, source: str) -> str:
    """``key`` if it may sign cursors; ``CursorKeyError`` naming the fix otherwise."""
    if key.strip() in KNOWN_PUBLIC_KEYS:
        raise _refuse(f"the cursor key from {source} is a published default")
    minimum = get_settings().cursor_secret_min_chars
    if len(key) < minimum:
        raise _refuse(f"the cursor key from {source} has {len(key)} characters, fewer than {minimum}")
    return key


def cursor_key() -> str:
    """The cursor-signing key of this container (checked); ``CursorKeyError`` if there is none usable."""
    settings = get_settings()
    if settings.cursor_secret:
        return check_strength(settings.cursor_secret, "SIGNALS_CURSOR_SECRET")
    name = settings.cursor_secret_parameter
    if not name:
        raise _refuse(
            "no cursor key is configured (neither SIGNALS_CURSOR_SECRET_PARAMETER nor SIGNALS_CURSOR_SECRET)"
        )
    from aws_lambda_powertools.utilities.parameters import GetParameterError, get_parameter

    try:
        value = get_parameter(name, decrypt=True, max_age=settings.cursor_secret_max_age_s)
    except GetParameterError as exc:
        raise _refuse(f"the cursor key parameter {name} cannot be read ({exc})") from exc
    return check_strength(str(value), f"SSM parameter {name}")


def require_cursor_key() -> None:
    """At init: stop the function (with a log line naming the fix) unless a usable key is configured."""
    try:
        cursor_key()
    except CursorKeyError as exc:
        from signals.telemetry import logger

        logger.critical("the API cannot start without a usable cursor key", extra={"error": str(exc)})
        raise
