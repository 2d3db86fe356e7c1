"""Shopify's webhook sender, played locally: sign a documented example payload and POST it to the app."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from django.conf import settings

from orderguard.integrations.shopify.auth import webhook_signature

# Shopify's documented example payloads, one per topic (see the README there for provenance).
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


@dataclass(frozen=True)
class SignedWebhook:
    topic: str
    shop_domain: str
    body: bytes
    headers: dict[str, str]


def example_payload(topic: str) -> dict:
    """Shopify's documented example payload for `topic`."""
    return json.loads((EXAMPLES_DIR / f"{topic}.example.json").read_text())["response"]


def example_topics() -> list[str]:
    """The topics Shopify documents an example for, e.g. "orders/create"."""
    return sorted(str(path.relative_to(EXAMPLES_DIR)).removesuffix(".example.json") for path in EXAMPLES_DIR.glob("*/*.example.json"))


def for_shop(payload: dict, shop_domain: str) -> dict:
    """Fill Shopify's `{shop}` placeholders and the shop fields of a payload with the target shop."""
    handle = shop_domain.removesuffix(".myshopify.com")
    text = json.dumps(payload).replace("{shop}", handle)
    filled = json.loads(text)
    for key in ("shop_domain", "myshopify_domain"):
        if key in filled:
            filled[key] = shop_domain
    return filled


def sign(*, topic: str, shop_domain: str, payload: dict, event_id: str | None = None, secret: str | None = None) -> SignedWebhook:
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-API-Version": settings.SHOPIFY_API_VERSION,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        "X-Shopify-Hmac-Sha256": webhook_signature(body, secret or settings.SHOPIFY_API_SECRET),
    }
    return SignedWebhook(topic=topic, shop_domain=shop_domain, body=body, headers=headers)


def deliver(webhook: SignedWebhook, *, app_url: str | None = None, timeout: float = 10.0) -> httpx.Response:
    url = f"{(app_url or settings.APP_URL).rstrip('/')}/webhooks/{webhook.topic}"
    return httpx.post(url, content=webhook.body, headers=webhook.headers, timeout=timeout)
