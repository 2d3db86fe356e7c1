"""The HTTP edge of Shopify webhooks: verify, record, answer. No business logic here.

401 for a missing or wrong signature before anything is parsed or stored; 405 for anything but POST;
400 for a signed delivery that contradicts its route (topic) or carries no valid shop.
"""

from __future__ import annotations

import json
import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from orderguard.integrations.shopify.auth import normalize_shop_domain
from orderguard.shops.shopify_app import shopify_webhook_signature_valid
from orderguard.shops.webhooks import COMPLIANCE_TOPICS, dedupe_key, webhook_delivery_record

logger = logging.getLogger(__name__)


def _header(request: HttpRequest, name: str) -> str:
    """Shopify's X-Shopify-* headers, or the un-prefixed spelling of its newer Events deliveries."""
    return (request.headers.get(f"X-Shopify-{name}") or request.headers.get(f"Shopify-{name}") or "").strip()


@csrf_exempt  # authenticated by the HMAC signature, not a cookie
def shopify_webhook(request: HttpRequest, topic: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        body = request.body
    except RequestDataTooBig:
        return HttpResponse("Payload too large", status=413)

    if not shopify_webhook_signature_valid(body=body, signature=_header(request, "Hmac-Sha256")):
        logger.info("Refused a %s webhook with a missing or invalid signature", topic)
        return HttpResponse("Unauthorized", status=401)

    header_topic = _header(request, "Topic")
    if header_topic and header_topic != topic:
        return HttpResponse("Topic does not match this endpoint", status=400)
    shop_domain = normalize_shop_domain(_header(request, "Shop-Domain"))
    if shop_domain is None:
        return HttpResponse("Missing or invalid shop domain", status=400)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponse("Body is not JSON", status=400)
    except RecursionError:  # nested deeper than the parser goes; no Shopify payload comes close
        return HttpResponse("Body is nested too deeply", status=400)
    if not isinstance(payload, dict):
        return HttpResponse("Body is not a JSON object", status=400)
    if b"\\u0000" in body:  # a NUL in a JSON string: no Shopify payload has one, and PostgreSQL's jsonb refuses it
        return HttpResponse("Body contains a NUL character", status=400)
    # The shop header is not signed; for compliance topics the signed body names the shop, and must agree.
    if topic in COMPLIANCE_TOPICS and normalize_shop_domain(payload.get("shop_domain")) != shop_domain:
        return HttpResponse("shop_domain does not match the shop header", status=400)

    event_id, webhook_id = _header(request, "Event-Id"), _header(request, "Webhook-Id")
    webhook_delivery_record(
        topic=topic,
        shop_domain=shop_domain,
        key=dedupe_key(event_id=event_id, webhook_id=webhook_id, topic=topic, body=body),
        event_id=event_id[:255],
        webhook_id=webhook_id[:255],
        api_version=_header(request, "API-Version")[:16],
        triggered_at=_header(request, "Triggered-At")[:64],
        payload=payload,
    )
    return HttpResponse("OK")
