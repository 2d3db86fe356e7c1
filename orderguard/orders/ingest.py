"""Upserting what Meta returned into SocialOrder rows, in bulk: the SQL cost of a poll does not grow with
the number of orders (one read, one insert, one update, one insert of history events)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from orderguard.integrations.meta.types import MetaOrder, MetaOrderItem
from orderguard.orders.models import SocialOrder, SocialOrderEvent
from orderguard.reconciliation.engine import Reason, Status
from orderguard.shops.models import Shop

# The Meta-side fields an upsert may change; buyer fields arrive only once Meta leaves FB_PROCESSING.
META_FIELDS = (
    "commerce_account_id", "channel", "meta_state", "meta_created_at", "meta_updated_at", "meta_cancelled",
    "merchant_order_id", "is_test_order", "buyer_name", "buyer_email", "email_remarketing_option",
    "shipping_address", "items", "total_amount", "currency",
)


def social_orders_upsert(*, shop: Shop, commerce_account_id: str, meta_orders: Sequence[MetaOrder], now: datetime) -> list[SocialOrder]:
    """Insert new Meta orders and update changed ones. Returns the new and changed rows (not yet classified).

    Safe to run twice with the same input: unchanged orders are not written.
    """
    latest: dict[str, MetaOrder] = {}
    for order in meta_orders:
        if order.id and order.created is not None:
            latest[order.id] = order  # a later page can repeat an order that changed mid-poll
    if not latest:
        return []
    existing = {o.meta_order_id: o for o in SocialOrder.objects.filter(shop=shop, meta_order_id__in=list(latest))}
    created: list[SocialOrder] = []
    changed: list[SocialOrder] = []
    events: list[SocialOrderEvent] = []

    for meta_id, order in latest.items():
        values = _values(order, commerce_account_id)
        row = existing.get(meta_id)
        if row is None:
            created.append(SocialOrder(shop=shop, meta_order_id=meta_id, status=Status.PROCESSING, reason=Reason.META_REVIEWING, **values))
            continue
        before = {field: getattr(row, field) for field in META_FIELDS}
        # Keep buyer details Meta sent earlier if a later answer omits them (never erase data by accident).
        for field in ("buyer_name", "buyer_email", "shipping_address"):
            if not values[field]:
                values[field] = before[field]
        if all(_same(before[field], values[field]) for field in META_FIELDS):
            continue
        if row.meta_state != values["meta_state"]:
            events.append(SocialOrderEvent(shop=shop, order=row, kind=SocialOrderEvent.Kind.META_STATE,
                                           from_value=row.meta_state, to_value=values["meta_state"], at=values["meta_updated_at"] or now))
        for field, value in values.items():
            setattr(row, field, value)
        changed.append(row)

    if created:
        SocialOrder.objects.bulk_create(created)
        for row in created:
            row._inserted = True  # no previous verdict: the classifier treats it as a first sighting
        events.extend(
            SocialOrderEvent(shop=shop, order=row, kind=SocialOrderEvent.Kind.META_STATE, to_value=row.meta_state, at=row.meta_created_at)
            for row in created
        )
        if not created[0].pk:  # backends that do not return ids from bulk inserts
            ids = {row.meta_order_id: row.pk for row in SocialOrder.objects.filter(shop=shop, meta_order_id__in=[r.meta_order_id for r in created])}
            for row in created:
                row.pk = row.id = ids[row.meta_order_id]
    if changed:
        SocialOrder.objects.bulk_update(changed, [*META_FIELDS, "updated_at"])
    if events:
        SocialOrderEvent.objects.bulk_create(events)
    return created + changed


def _values(order: MetaOrder, commerce_account_id: str) -> dict:
    return {
        "commerce_account_id": commerce_account_id,
        "channel": (order.channel or "").lower()[:16],
        "meta_state": order.state,
        "meta_created_at": order.created,
        "meta_updated_at": order.last_updated or order.created,
        "meta_cancelled": order.fully_cancelled,
        "merchant_order_id": order.merchant_order_id[:64],
        "is_test_order": order.is_test_order,
        "buyer_name": order.buyer_name[:255],
        "buyer_email": order.buyer_email[:320],
        "email_remarketing_option": bool(order.email_remarketing_option),
        "shipping_address": order.shipping_address or {},
        "items": [_item(item) for item in order.items],
        "total_amount": order.total_amount,
        "currency": order.currency[:3],
    }


def _item(item: MetaOrderItem) -> dict:
    return {
        "id": item.id,
        "retailer_id": item.retailer_id,
        "product_id": item.product_id,
        "product_name": item.product_name,
        "quantity": item.quantity,
        "price_per_unit": str(item.price_per_unit) if item.price_per_unit is not None else None,
        "currency": item.currency,
        "cancelled_quantity": item.cancelled_quantity,
    }


def _same(a, b) -> bool:
    return a == b or (a is not None and b is not None and str(a) == str(b))
