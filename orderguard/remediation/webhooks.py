"""The webhooks that tell a remedy's store link was paid (recovery.py): draft_orders/update, and
orders/create (which orders/webhooks.py handles too, for matching; both run)."""

from __future__ import annotations

from orderguard.remediation.recovery import draft_order_updated, shopify_order_created
from orderguard.shops.models import WebhookDelivery
from orderguard.shops.webhooks import register_webhook_handler


@register_webhook_handler("draft_orders/update")
def _draft_order_updated(delivery: WebhookDelivery) -> str:
    return draft_order_updated(shop_domain=delivery.shop_domain, payload=delivery.payload)


@register_webhook_handler("orders/create")
def _order_created(delivery: WebhookDelivery) -> str:
    return shopify_order_created(shop_domain=delivery.shop_domain, payload=delivery.payload)
