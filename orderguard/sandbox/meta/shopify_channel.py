"""Shopify's "Facebook & Instagram" sales channel inside the sandbox shop: its channel definitions and the
Shopify orders it creates from Meta orders.

An imported order looks as research/fb-orders-in-shopify.md describes: sourceName "2329312" (the
channel app's id), sourceIdentifier "<Meta order id>,<16-digit id>", customAttributes "Channel"
(Facebook/Instagram) and "Facebook Order ID", AUTHORIZED (captured only after fulfilment) and UNFULFILLED.
The channel handles are not confirmed by any source; "facebook" and "instagram" are the sandbox's choice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import Max

from orderguard.sandbox.meta.models import MetaOrder
from orderguard.sandbox.models import SandboxShop, SandboxShopifyOrder

APP_ID = "2329312"
CHANNEL_NAME = "Facebook & Instagram"
DEFINITIONS = {
    "facebook": {"handle": "facebook", "channelName": "Facebook", "subChannelName": "Facebook Shop", "isMarketplace": True},
    "instagram": {"handle": "instagram", "channelName": "Instagram", "subChannelName": "Instagram Shopping", "isMarketplace": True},
}
# Ids of ordinary Shopify orders start here; each new order takes the next one.
FIRST_ORDER_ID = 5_912_001_000_000
FIRST_ORDER_NUMBER = 1001


def installed_channels(shop: SandboxShop) -> list[dict]:
    """shop.channelDefinitionsForInstalledChannels."""
    if not shop.facebook_channel_installed:
        return []
    return [{
        "__typename": "AvailableChannelDefinitionsByChannel",
        "channelName": CHANNEL_NAME,
        "channelDefinitions": [
            {"__typename": "ChannelDefinition", "id": f"gid://shopify/ChannelDefinition/{APP_ID}-{handle}", "svgIcon": None, **definition}
            for handle, definition in DEFINITIONS.items()
        ],
    }]


def second_identifier(meta_order_id: str) -> str:
    """The 16-digit second part of sourceIdentifier (its meaning is unknown; stable per order here)."""
    digest = int(hashlib.sha256(meta_order_id.encode()).hexdigest(), 16)
    return str(1_000_000_000_000_000 + digest % 9_000_000_000_000_000)


def next_numbers(shop: SandboxShop) -> tuple[int, int]:
    """(numeric id, order number) for the shop's next order."""
    highest_id = SandboxShopifyOrder.objects.aggregate(highest=Max("numeric_id"))["highest"]
    highest_number = shop.orders.aggregate(highest=Max("order_number"))["highest"]
    return (highest_id or FIRST_ORDER_ID - 1) + 1, (highest_number or FIRST_ORDER_NUMBER - 1) + 1


def import_order(order: MetaOrder, shop: SandboxShop, *, at: datetime, **overrides) -> SandboxShopifyOrder:
    """Create the Shopify order the channel makes from `order`, at time `at`."""
    numeric_id, number = next_numbers(shop)
    definition = DEFINITIONS.get(order.channel, DEFINITIONS["facebook"])
    fields = {
        "shop": shop,
        "numeric_id": numeric_id,
        "order_number": number,
        "name": f"#{number}",
        "created_at": at,
        "updated_at": at,
        "source_name": APP_ID,
        "source_identifier": f"{order.id},{second_identifier(order.id)}",
        "note": "",
        "tags": [],
        "custom_attributes": [
            {"key": "Channel", "value": definition["channelName"]},
            {"key": "Facebook Order ID", "value": order.id},
        ],
        "financial_status": "AUTHORIZED",
        "fulfillment_status": "UNFULFILLED",
        "total_amount": order.total,
        "currency_code": order.currency,
        "channel_handle": definition["handle"],
        "channel_name": definition["channelName"],
        "sub_channel_name": definition["subChannelName"],
    }
    fields.update(overrides)
    shopify_order = SandboxShopifyOrder.objects.create(**fields)
    MetaOrder.objects.filter(pk=order.pk).update(shopify_order=shopify_order)
    order.shopify_order = shopify_order
    return shopify_order


def cancel_in_shopify(order: MetaOrder, *, at: datetime) -> None:
    """The channel mirrors a Meta cancellation onto the Shopify order (authorization voided)."""
    shopify_order = order.shopify_order
    if shopify_order is None or shopify_order.cancelled_at is not None:
        return
    shopify_order.cancelled_at = at
    shopify_order.updated_at = at
    shopify_order.financial_status = "VOIDED"
    shopify_order.save(update_fields=["cancelled_at", "updated_at", "financial_status"])
