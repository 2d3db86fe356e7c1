"""Shopify webhook deliveries: record once, process in Celery, dispatch by topic.

The view records a delivery (deduplicated atomically by the unique dedupe key) and answers 200; the work
happens in process_webhook_delivery_task. The row is the durable record (orderguard.core.durable): the task
claims it under a short lease renewed while the handler runs, and if the enqueue is lost (broker down at
commit) or a worker dies, the sweeper enqueues it again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.db import connection, transaction

from orderguard.core import durable
from orderguard.shops import compliance, services
from orderguard.shops.models import Shop, WebhookDelivery
from orderguard.shops.tasks import process_webhook_delivery_task

logger = logging.getLogger(__name__)

# The topics OrderGuard subscribes to in shopify.app.toml; each gets its own route.
TOPICS = (
    "app/uninstalled",
    "app/scopes_update",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
    "orders/create",
    "orders/updated",
    "draft_orders/update",
)
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")

Handler = Callable[[WebhookDelivery], str]
_handlers: dict[str, Handler] = {}


def register_webhook_handler(topic: str) -> Callable[[Handler], Handler]:
    """Decorator: `fn(delivery) -> outcome` handles `topic`. Other apps register theirs in ready(). A topic
    two apps handle (orders/create: matching, and the remedies' recovery) runs both, in registration order
    (an empty outcome means "nothing for me"); each must be safe to run again, since a failure in either
    retries the delivery."""
    if topic not in TOPICS:
        raise ValueError(f"{topic!r} is not a subscribed topic")

    def decorator(fn: Handler) -> Handler:
        earlier = _handlers.get(topic)
        _handlers[topic] = fn if earlier is None else _both(earlier, fn)
        return fn

    return decorator


def _both(first: Handler, second: Handler) -> Handler:
    def handle(delivery: WebhookDelivery) -> str:
        return "; ".join(outcome for outcome in (first(delivery), second(delivery)) if outcome)

    return handle


def dedupe_key(*, event_id: str, webhook_id: str, topic: str, body: bytes) -> str:
    """Shopify's event id (the same across duplicate deliveries); else the webhook id; else the body."""
    if event_id:
        return f"event:{event_id}"
    if webhook_id:
        return f"webhook:{webhook_id}"
    return f"body:{topic}:{hashlib.sha256(body).hexdigest()}"


def webhook_delivery_record(
    *,
    topic: str,
    shop_domain: str,
    key: str,
    event_id: str,
    webhook_id: str,
    api_version: str,
    triggered_at: str,
    payload: dict,
) -> tuple[int, bool]:
    """Record a verified delivery once. Returns (delivery id, created); a duplicate returns the first one's id.

    One statement for a new delivery (the shop is looked up inside the INSERT, a duplicate is a no-op by
    ON CONFLICT), two for a duplicate: a burst of deliveries costs the web process as little as it can."""
    delivery_id = _insert_once(
        WebhookDelivery(
            dedupe_key=key, event_id=event_id, webhook_id=webhook_id, topic=topic, shop_domain=shop_domain,
            api_version=api_version, triggered_at=triggered_at, payload=payload,
        )
    )
    if delivery_id is None:
        return WebhookDelivery.objects.values_list("pk", flat=True).get(dedupe_key=key), False
    transaction.on_commit(lambda: _enqueue(delivery_id))
    return delivery_id, True


def _insert_once(delivery: WebhookDelivery) -> int | None:
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, with shop_id from a subquery on the
    domain (PostgreSQL and SQLite 3.35+ both speak it). Field defaults and auto_now_add come from Django."""
    meta, shop_meta = WebhookDelivery._meta, Shop._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key and field.attname != "shop_id"]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = [field.get_db_prep_save(field.pre_save(delivery, True), connection) for field in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}, {quote('shop_id')}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}, "
        f"(SELECT {quote(shop_meta.pk.column)} FROM {quote(shop_meta.db_table)} WHERE {quote('domain')} = %s)) "
        f"ON CONFLICT ({quote(meta.get_field('dedupe_key').column)}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, delivery.shop_domain])
        row = cursor.fetchone()
    return row[0] if row else None


def _enqueue(delivery_id: int) -> None:
    try:
        process_webhook_delivery_task.delay(delivery_id=delivery_id)
    except Exception:  # the broker is down: the row stays PENDING and the sweeper enqueues it later
        logger.warning("Could not enqueue webhook delivery %s; the sweeper will pick it up", delivery_id, exc_info=True)


def webhook_delivery_process(*, delivery_id: int) -> str:
    """Run the handler of one delivery, at most once to completion. Safe to call twice (or concurrently)."""
    claim = durable.durable_claim(model=WebhookDelivery, pk=delivery_id)
    if claim is None:
        return "skipped: already processed or claimed"
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    handler = _handlers.get(delivery.topic, _no_handler)
    try:
        with durable.durable_lease_kept(claim=claim):
            outcome = handler(delivery)
    except Exception as error:
        durable.durable_fail(claim=claim, outcome=f"error: {type(error).__name__}")
        logger.exception("Webhook delivery %s (%s) failed on attempt %d", delivery_id, delivery.topic, claim.attempt)
        raise
    # Processed payloads are dropped: they carry buyer data OrderGuard no longer needs.
    durable.durable_complete(claim=claim, outcome=outcome, payload={})
    return outcome


def webhook_deliveries_due() -> list[int]:
    """Deliveries whose enqueue was lost or whose worker died: what the sweeper re-enqueues."""
    return durable.durable_due(model=WebhookDelivery)


# Handlers
# ------------------------------------------------------------------------------------------------------


def _no_handler(delivery: WebhookDelivery) -> str:
    return "ignored: no handler for this topic"


@register_webhook_handler("app/uninstalled")
def _app_uninstalled(delivery: WebhookDelivery) -> str:
    return services.shop_uninstall(shop_domain=delivery.shop_domain)


@register_webhook_handler("app/scopes_update")
def _app_scopes_update(delivery: WebhookDelivery) -> str:
    return services.shop_scopes_update(shop_domain=delivery.shop_domain, payload=delivery.payload)


@register_webhook_handler("shop/redact")
def _shop_redact(delivery: WebhookDelivery) -> str:
    erased = compliance.shop_redact(shop_domain=delivery.shop_domain)
    return f"erased {sum(erased.values())} rows"


@register_webhook_handler("customers/redact")
def _customers_redact(delivery: WebhookDelivery) -> str:
    customer = compliance.CustomerRef.from_payload(delivery.payload)
    return f"erased {compliance.customer_redact(shop_domain=delivery.shop_domain, customer=customer)} records"


@register_webhook_handler("customers/data_request")
def _customers_data_request(delivery: WebhookDelivery) -> str:
    customer = compliance.CustomerRef.from_payload(delivery.payload)
    request_id = str((delivery.payload.get("data_request") or {}).get("id") or delivery.pk)
    export = compliance.customer_data_export(shop_domain=delivery.shop_domain, customer=customer, data_request_id=request_id)
    return f"export {export.pk} ready" if export else "ignored: unknown shop"
