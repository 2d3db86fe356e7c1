"""orders/create and orders/updated: a new Shopify order of the social channel is matched at once,
instead of at the next poll."""

from __future__ import annotations

from orderguard.orders.services import shopify_order_received
from orderguard.shops.models import WebhookDelivery
from orderguard.shops.webhooks import register_webhook_handler


@register_webhook_handler("orders/create")
@register_webhook_handler("orders/updated")
def _order_changed(delivery: WebhookDelivery) -> str:
    return shopify_order_received(shop_domain=delivery.shop_domain, payload=delivery.payload)
