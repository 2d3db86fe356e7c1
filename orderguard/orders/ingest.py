"""Upserting what Meta returned into SocialOrder rows, in bulk: the SQL cost of a poll does not grow with
the number of orders (one read, one insert, one update, one insert of history events)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from orderguard.integrations.meta.types import MetaOrder, MetaOrderItem
from orderguard.orders.events import order_meta_state_event
from orderguard.orders.models import SocialOrder, SocialOrderEvent
from orderguard.reconciliation.engine import Reason, Status
from orderguard.shops.models import Shop

# The Meta-side fields an upsert may change; buyer fields arrive only once Meta leaves FB_PROCESSING.
META_FIELDS = (
    "commerce_account_id", "channel", "meta_state", "meta_created_at", "meta_updated_at", "meta_cancelled",
    "merchant_order_id", "is_test_order", "buyer_name", "buyer_email", "email_remarketing_option",
    "shipping_address", "items", "total_amount", "currency", "amounts",
)
BUYER_FIELDS = ("buyer_name", "buyer_email", "shipping_address")


@dataclass(frozen=True)
class IngestResult:
    """What an upsert wrote: rows inserted (no verdict yet) and rows whose Meta fields changed."""

    created: list[SocialOrder]
    changed: list[SocialOrder]

    @property
    def touched(self) -> list[SocialOrder]:
        return [*self.created, *self.changed]

    @property
    def created_ids(self) -> frozenset[int]:
        return frozenset(row.pk for row in self.created)


def social_orders_upsert(*, shop: Shop, commerce_account_id: str, meta_orders: Sequence[MetaOrder], now: datetime) -> IngestResult:
    """Insert new Meta orders and update changed ones (neither classified yet).

    Safe to run twice with the same input: unchanged orders are not written.
    """
    latest = _latest_by_id(meta_orders)
    if not latest:
        return IngestResult(created=[], changed=[])
    existing = {o.meta_order_id: o for o in SocialOrder.objects.filter(shop=shop, meta_order_id__in=list(latest))}
    created: list[SocialOrder] = []
    changed: list[SocialOrder] = []
    events: list[SocialOrderEvent] = []
    for meta_id, order in latest.items():
        values = _values(order, commerce_account_id)
        row = existing.get(meta_id)
        if row is None:
            created.append(SocialOrder(shop=shop, meta_order_id=meta_id, status=Status.PROCESSING, reason=Reason.META_REVIEWING, **values))
        elif _update(row, values, events=events, now=now):
            changed.append(row)
    _insert(shop=shop, rows=created)
    events.extend(order_meta_state_event(order=row, to_state=row.meta_state, at=row.meta_created_at) for row in created)
    if changed:
        SocialOrder.objects.bulk_update(changed, [*META_FIELDS, "updated_at"])
    if events:
        SocialOrderEvent.objects.bulk_create(events)
    return IngestResult(created=created, changed=changed)


def _latest_by_id(meta_orders: Iterable[MetaOrder]) -> dict[str, MetaOrder]:
    """One order per id, the last one seen: a later page can repeat an order that changed mid-poll."""
    return {order.id: order for order in meta_orders if order.id and order.created is not None}


def _update(row: SocialOrder, values: dict, *, events: list[SocialOrderEvent], now: datetime) -> bool:
    """Apply Meta's values to an existing row; False (and the row untouched) when nothing changed."""
    # Keep buyer details Meta sent earlier if a later answer omits them (never erase data by accident).
    for field in BUYER_FIELDS:
        if not values[field]:
            values[field] = getattr(row, field)
    if all(_same(getattr(row, field), values[field]) for field in META_FIELDS):
        return False
    if row.meta_state != values["meta_state"]:
        events.append(order_meta_state_event(order=row, from_state=row.meta_state, to_state=values["meta_state"],
                                             at=values["meta_updated_at"] or now))
    for field, value in values.items():
        setattr(row, field, value)
    return True


def _insert(*, shop: Shop, rows: list[SocialOrder]) -> None:
    if not rows:
        return
    SocialOrder.objects.bulk_create(rows)
    if not rows[0].pk:  # backends that do not return ids from bulk inserts
        ids = dict(SocialOrder.objects.filter(shop=shop, meta_order_id__in=[r.meta_order_id for r in rows]).values_list("meta_order_id", "pk"))
        for row in rows:
            row.pk = row.id = ids[row.meta_order_id]


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
        "amounts": {name: str(value) for name, value in asdict(order.amounts).items() if value is not None},
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
