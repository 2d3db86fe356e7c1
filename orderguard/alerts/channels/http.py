"""The one HTTP POST the webhook-style channels share, and how an HTTP answer maps to an Outcome.

Only 429, 5xx and network trouble (timeout, refused connection) are worth retrying; every other
non-2xx answer is permanent. Redirects are not followed: a webhook URL that redirects is misconfigured,
and following it could carry the message somewhere the merchant never chose. The URL is a secret: it is
never logged, and exception texts (which repeat it) never reach the answer.
"""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from datetime import UTC, datetime

import requests

from orderguard.alerts.channels.results import Outcome, SendResult, snippet

# Connect, read (seconds). A receiver slower than this is retried later rather than holding a worker.
TIMEOUT = (3.05, 10)
# The most of a response body read: receivers answer "ok" or a short error.
MAX_ANSWER_BYTES = 4096
# Never wait longer than this on a receiver's Retry-After.
MAX_RETRY_AFTER_SECONDS = 3600
USER_AGENT = "OrderGuard-Alerts/1.0"


def post(*, url: str, body: bytes, headers: dict[str, str] | None = None) -> SendResult:
    """POST the body and classify the answer; network trouble is retryable."""
    all_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
    try:
        with requests.post(
            url, data=body, headers=all_headers, timeout=TIMEOUT, allow_redirects=False, stream=True
        ) as response:
            raw = next(response.iter_content(MAX_ANSWER_BYTES), b"")
            status, response_headers = response.status_code, dict(response.headers)
    except requests.Timeout:
        return SendResult(Outcome.RETRYABLE, answer="timeout")
    except requests.RequestException as error:
        return SendResult(Outcome.RETRYABLE, answer=f"network error ({type(error).__name__})")
    return classify(status=status, headers=response_headers, text=raw.decode("utf-8", errors="replace"))


def json_bytes(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def classify(*, status: int, headers: dict, text: str) -> SendResult:
    answer = snippet(text) or f"HTTP {status}"
    if 200 <= status < 300:
        return SendResult(Outcome.DELIVERED, status, answer)
    if status == 429:
        return SendResult(Outcome.RETRYABLE, status, answer, retry_after_seconds=retry_after(headers))
    if status >= 500:
        return SendResult(Outcome.RETRYABLE, status, answer, retry_after_seconds=retry_after(headers))
    return SendResult(Outcome.PERMANENT, status, answer)


def retry_after(headers: dict, *, now: datetime | None = None) -> int | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), capped; None when absent or unreadable."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return min(int(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = int((when - (now or datetime.now(UTC))).total_seconds())
    return min(max(seconds, 0), MAX_RETRY_AFTER_SECONDS)
