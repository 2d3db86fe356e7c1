"""Orders services called from the edges (webhook handlers, the remedies): each one step of work on a shop's orders."""

from __future__ import annotations

from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.classification import social_orders_classify
from orderguard.orders.models import PollState, SocialOrder
from orderguard.orders.shopify_sync import ShopifyOrderRecord, shopify_orders_store
from orderguard.reconciliation.engine import ChannelFacts
from orderguard.reconciliation.matching import looks_like_meta_channel_order
from orderguard.shops.models import Shop


def social_order_cancelled_on_meta(*, order: SocialOrder) -> None:
    """Meta confirmed a cancel OrderGuard sent: show the order as cancelled now rather than at the next
    poll (which reads the same from Meta and keeps it)."""
    SocialOrder.objects.filter(pk=order.pk).update(meta_cancelled=True)
    order.meta_cancelled = True
    state = PollState.objects.filter(shop=order.shop).first()
    _classify(shop=order.shop, orders=[order], state=state)


def _classify(*, shop: Shop, orders: list[SocialOrder], state: PollState | None) -> None:
    connection = MetaConnection.objects.filter(shop=shop).first()
    channel = ChannelFacts(order_management_app_registered=connection.order_management_app_registered if connection else None)
    social_orders_classify(
        shop=shop, orders=orders, channel=channel, shopify_checked_at=state.shopify_checked_at if state else None, now=timezone.now()
    )


def shopify_order_received(*, shop_domain: str, payload: dict) -> str:
    """A Shopify order was created or updated: if it belongs to the Facebook & Instagram channel, store it
    and classify the Meta orders it matches at once, instead of at the next poll. Returns the outcome."""
    shop = Shop.objects.filter(domain=shop_domain, status=Shop.Status.ACTIVE).first()
    if shop is None:
        return "ignored: shop not installed"
    record = ShopifyOrderRecord.from_webhook(payload)
    state = PollState.objects.filter(shop=shop).first()
    handles = state.channel_handles if state else []
    if not looks_like_meta_channel_order(record.fields, channel_handles=handles):
        return "ignored: not a Facebook or Instagram order"
    stored = shopify_orders_store(shop=shop, records=[record])
    meta_ids = [row.meta_order_id for row in stored if row.meta_order_id]
    orders = list(SocialOrder.objects.filter(shop=shop, meta_order_id__in=meta_ids))
    if not orders:
        return "stored: no known Meta order matches it yet"
    _classify(shop=shop, orders=orders, state=state)
    return f"matched Meta order {orders[0].meta_order_id} to {record.name}"
