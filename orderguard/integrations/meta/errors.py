"""What can go wrong talking to Meta's Graph API, as a small tree callers can act on.

Meta answers errors with `{"error": {message, type, code, error_subcode, error_user_title, error_user_msg,
fbtrace_id, is_transient}}` and a 4xx/5xx status. The class says what the caller should do:

- MetaAuthError: the token is dead (expired, revoked, password changed). Reconnect; never retry.
- MetaPermissionError: a permission is missing or was removed. Re-request it; never retry.
- MetaThrottledError: a rate limit. Nothing ran; wait `retry_after` seconds. Calling while throttled
  extends the throttle, so the client does not retry these itself: the caller stores the wait.
- MetaTransientError: an outage, a timeout or a 5xx without a body. A read may be retried; the outcome of
  a write is unknown (retry it only with the same idempotency key).
- MetaInvalidRequestError: the request is wrong (bad parameter, object gone). Retrying changes nothing.

Codes from https://developers.facebook.com/docs/graph-api/guides/error-handling and
https://developers.facebook.com/docs/graph-api/overview/rate-limiting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Throttling: app/user/Page limits, custom limits, BUC limits (the 8000x family) and the policy block.
THROTTLE_CODES = frozenset({4, 17, 32, 341, 368, 613} | set(range(80000, 80010)) | {80014})
AUTH_CODES = frozenset({102, 190})
PERMISSION_CODES = frozenset({3, 10} | set(range(200, 300)))
TRANSIENT_CODES = frozenset({1, 2})

# When Meta throttles without saying for how long (no BUC header, or a regain time of 0).
DEFAULT_THROTTLE_WAIT = 60.0


class MetaError(Exception):
    """Base class. Carries what Meta said; never the access token or its proof."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        fbtrace_id: str | None = None,
        http_status: int | None = None,
        error_type: str | None = None,
        user_title: str | None = None,
        user_message: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
        self.http_status = http_status
        self.error_type = error_type
        self.user_title = user_title
        self.user_message = user_message

    def __str__(self) -> str:
        details = {"code": self.code, "subcode": self.subcode, "http": self.http_status, "fbtrace_id": self.fbtrace_id}
        suffix = " ".join(f"{name}={value}" for name, value in details.items() if value is not None)
        return f"{self.message} ({suffix})" if suffix else self.message


class MetaAuthError(MetaError):
    """190 (any subcode: 463 expired, 467 invalid, 460 password changed, ...), 102, or an OAuthException
    without a code: the token no longer works and the merchant must reconnect."""


class MetaPermissionError(MetaError):
    """10, 200-299 or 3: the token lacks a permission (or the app a capability) for this call."""


class MetaThrottledError(MetaError):
    """4, 17, 32, 613, 8000x, 341, 368: rate limited. Nothing ran; wait `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class MetaTransientError(MetaError):
    """1, 2, is_transient, a 5xx without a usable body, a timeout or a connection failure."""


class MetaInvalidRequestError(MetaError):
    """100, 803 and any other 4xx: the request itself is wrong, or the object does not exist."""


def error_from_response(http_status: int, body: Any, *, regain_seconds: float = 0.0) -> MetaError:
    """Sort a failed response into the tree.

    `body` is the decoded JSON (or None when it was not JSON); `regain_seconds` comes from the
    X-Business-Use-Case-Usage header of the same response and becomes `retry_after` when Meta throttles.
    """
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return _error_without_body(http_status, regain_seconds)

    code = _int_or_none(error.get("code"))
    kwargs: dict[str, Any] = {
        "code": code,
        "subcode": _int_or_none(error.get("error_subcode")),
        "fbtrace_id": _str_or_none(error.get("fbtrace_id")),
        "http_status": http_status,
        "error_type": _str_or_none(error.get("type")),
        "user_title": _str_or_none(error.get("error_user_title")),
        "user_message": _str_or_none(error.get("error_user_msg")),
    }
    message = str(error.get("message") or "Meta returned an error")

    # Throttling first: Meta marks code 4 and the 8000x codes is_transient too, but retrying them at once
    # only extends the throttle.
    if code in THROTTLE_CODES:
        return MetaThrottledError(message, retry_after=_throttle_wait(regain_seconds), **kwargs)
    if code in AUTH_CODES or (code is None and kwargs["error_type"] == "OAuthException"):
        return MetaAuthError(message, **kwargs)
    if code in PERMISSION_CODES:
        return MetaPermissionError(message, **kwargs)
    if code in TRANSIENT_CODES or error.get("is_transient") is True or http_status >= 500:
        return MetaTransientError(message, **kwargs)
    return MetaInvalidRequestError(message, **kwargs)


def _error_without_body(http_status: int, regain_seconds: float) -> MetaError:
    message = f"Meta returned HTTP {http_status} without a Graph error body"
    if http_status == 429:
        return MetaThrottledError(message, retry_after=_throttle_wait(regain_seconds), http_status=http_status)
    if http_status == 401:
        return MetaAuthError(message, http_status=http_status)
    if 300 <= http_status < 400:
        message = f"Meta answered with a redirect (HTTP {http_status}); not followed"
        return MetaInvalidRequestError(message, http_status=http_status)
    if http_status >= 500 or http_status < 300:  # includes a 2xx whose body could not be read
        return MetaTransientError(message, http_status=http_status)
    return MetaInvalidRequestError(message, http_status=http_status)


def _throttle_wait(regain_seconds: float) -> float:
    return regain_seconds if regain_seconds > 0 else DEFAULT_THROTTLE_WAIT


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
