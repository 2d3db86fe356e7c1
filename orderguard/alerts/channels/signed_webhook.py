"""A webhook for the merchant's own automation, signed per the Standard Webhooks scheme
(https://www.standardwebhooks.com/) with the maintained `standardwebhooks` package.

Headers: `webhook-id` (the delivery's id: stable across retries, so receivers can dedupe),
`webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256>`). Each
destination has its own secret (`whsec_<base64 of 32 random bytes>`).
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

from orderguard.alerts.channels import http
from orderguard.alerts.channels.results import SendResult
from orderguard.alerts.messages import AlertMessage


def secret_generate() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def document(message: AlertMessage, *, timestamp: datetime) -> dict:
    """The Standard Webhooks payload shape: type, timestamp, data."""
    return {
        "type": f"orderguard.alert.{message.event}",
        "timestamp": timestamp.isoformat().replace("+00:00", "Z"),
        "data": {**message.data, "title": message.title, "summary": message.summary, "shop": message.shop_domain},
    }


def signed_headers(*, secret: str, message_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, timestamp, body),
    }


def send(*, url: str, secret: str, message_id: str, message: AlertMessage, now: datetime | None = None) -> SendResult:
    timestamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    body = http.json_bytes(document(message, timestamp=timestamp))
    headers = signed_headers(secret=secret, message_id=message_id, timestamp=timestamp, body=body.decode())
    return http.post(url=url, body=body, headers=headers)
