"""Upserting what Meta returned into SocialOrder rows, in bulk: the SQL cost of a poll does not grow with
the number of orders (one read, one insert, one update, one insert of history events).

One order's odd data never stops the others: a state OrderGuard does not know is stored as sent (the
engine shows it as such), an order without a usable `created` is stored with a placeholder and flagged,
text is cut to its column and freed of NUL characters (PostgreSQL refuses them), and if the database
still refuses a batch, its rows are written one by one and the refused ones counted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

from django.db import DatabaseError, transaction

from orderguard.integrations.meta.types import MetaOrder, MetaOrderItem
from orderguard.orders.events import order_meta_state_event
from orderguard.orders.models import SocialOrder, SocialOrderEvent
from orderguard.reconciliation.engine import MetaState, Reason, Status
from orderguard.reconciliation.matching import MAX_ID_LENGTH
from orderguard.shops.models import Shop

logger = logging.getLogger(__name__)

# The Meta-side fields an upsert may change; buyer fields arrive only once Meta leaves FB_PROCESSING.
META_FIELDS = (
    "commerce_account_id", "channel", "meta_state", "meta_created_at", "created_unknown", "meta_updated_at", "meta_cancelled",
    "merchant_order_id", "is_test_order", "buyer_name", "buyer_email", "email_remarketing_option",
    "shipping_address", "items", "total_amount", "currency", "amounts",
)
BUYER_FIELDS = ("buyer_name", "buyer_email", "shipping_address")
# SocialOrder.total_amount is max_digits=12, decimal_places=2.
_MAX_AMOUNT = Decimal("9999999999.99")


@dataclass(frozen=True)
class IngestResult:
    """What an upsert wrote: rows inserted (no verdict yet) and rows whose Meta fields changed, and how
    many of the orders received were odd: in a state OrderGuard does not know, without a usable
    `created`, or refused (no id, an id too long to be one, or a row the database would not take)."""

    created: list[SocialOrder]
    changed: list[SocialOrder]
    unknown_states: int = 0
    created_unknown: int = 0
    rejected: int = 0

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
    rejected = sum(1 for order in meta_orders if not _usable_id(order.id))
    if not latest:
        return IngestResult(created=[], changed=[], rejected=rejected)
    existing = {o.meta_order_id: o for o in SocialOrder.objects.filter(shop=shop, meta_order_id__in=list(latest))}
    created: list[SocialOrder] = []
    changed: list[SocialOrder] = []
    events: list[SocialOrderEvent] = []
    for meta_id, order in latest.items():
        row = existing.get(meta_id)
        values = _values(order, commerce_account_id, row=row, now=now)
        if row is None:
            created.append(SocialOrder(shop=shop, meta_order_id=meta_id, status=Status.PROCESSING, reason=Reason.META_REVIEWING, **values))
        elif _update(row, values, events=events, now=now):
            changed.append(row)
    refused = _insert(shop=shop, rows=created)
    refused += _bulk_update(changed)
    created = [row for row in created if row not in refused]
    changed = [row for row in changed if row not in refused]
    events = [event for event in events if event.order not in refused]
    events.extend(order_meta_state_event(order=row, to_state=row.meta_state, at=row.meta_created_at) for row in created)
    if events:
        SocialOrderEvent.objects.bulk_create(events)
    return IngestResult(
        created=created,
        changed=changed,
        unknown_states=sum(1 for order in latest.values() if order.state not in MetaState._value2member_map_),
        created_unknown=sum(1 for order in latest.values() if order.created is None),
        rejected=rejected + len(refused),
    )


def _usable_id(meta_id: str) -> bool:
    return bool(meta_id) and len(meta_id) <= MAX_ID_LENGTH


def _latest_by_id(meta_orders: Iterable[MetaOrder]) -> dict[str, MetaOrder]:
    """One order per id, the last one seen: a later page can repeat an order that changed mid-poll."""
    return {order.id: order for order in meta_orders if _usable_id(order.id)}


def _update(row: SocialOrder, values: dict, *, events: list[SocialOrderEvent], now: datetime) -> bool:
    """Apply Meta's values to an existing row; False (and the row untouched) when nothing changed."""
    # Keep buyer details Meta sent earlier if a later answer omits them (never erase data by accident), and
    # never bring back what a redaction or the retention period erased.
    for field in BUYER_FIELDS:
        if not values[field] or row.buyer_data_erased_at is not None:
            values[field] = getattr(row, field)
    if all(_same(getattr(row, field), values[field]) for field in META_FIELDS):
        return False
    if row.meta_state != values["meta_state"]:
        events.append(order_meta_state_event(order=row, from_state=row.meta_state, to_state=values["meta_state"],
                                             at=values["meta_updated_at"] or now))
    for field, value in values.items():
        setattr(row, field, value)
    return True


def _insert(*, shop: Shop, rows: list[SocialOrder]) -> list[SocialOrder]:
    """Insert the rows in one statement; if the database refuses it, one by one. Returns the rows it
    refused."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            SocialOrder.objects.bulk_create(rows)
    except DatabaseError:
        for row in rows:
            row.pk = row.id = None
        return _one_by_one(rows, lambda row: row.save(force_insert=True))
    if not rows[0].pk:  # backends that do not return ids from bulk inserts
        ids = dict(SocialOrder.objects.filter(shop=shop, meta_order_id__in=[r.meta_order_id for r in rows]).values_list("meta_order_id", "pk"))
        for row in rows:
            row.pk = row.id = ids[row.meta_order_id]
    return []


def _bulk_update(rows: list[SocialOrder]) -> list[SocialOrder]:
    if not rows:
        return []
    try:
        with transaction.atomic():
            SocialOrder.objects.bulk_update(rows, [*META_FIELDS, "updated_at"])
    except DatabaseError:
        return _one_by_one(rows, lambda row: row.save(update_fields=[*META_FIELDS, "updated_at"]))
    return []


def _one_by_one(rows: list[SocialOrder], write) -> list[SocialOrder]:
    refused = []
    for row in rows:
        try:
            with transaction.atomic():
                write(row)
        except DatabaseError:
            refused.append(row)
            logger.warning("The database refused Meta order %s of shop %s", row.meta_order_id, row.shop_id, exc_info=True)
    return refused


def _values(order: MetaOrder, commerce_account_id: str, *, row: SocialOrder | None, now: datetime) -> dict:
    # Without a usable `created`, keep what the row has (a real time from an earlier answer, or the
    # placeholder), else the last update, else now; the flag tells the page age and deadline are estimates.
    if order.created is not None:
        created, unknown = order.created, False
    elif row is not None:
        created, unknown = row.meta_created_at, row.created_unknown
    else:
        created, unknown = order.last_updated or now, True
    return {
        "commerce_account_id": _text(commerce_account_id, 32),
        "channel": _text(order.channel.lower(), 16),
        "meta_state": _text(order.state),
        "meta_created_at": created,
        "created_unknown": unknown,
        "meta_updated_at": order.last_updated or created,
        "meta_cancelled": order.fully_cancelled,
        "merchant_order_id": _text(order.merchant_order_id, 64),
        "is_test_order": order.is_test_order,
        "buyer_name": _text(order.buyer_name, 255),
        "buyer_email": _text(order.buyer_email, 320),
        "email_remarketing_option": bool(order.email_remarketing_option),
        "shipping_address": _clean(order.shipping_address or {}),
        "items": [_clean(_item(item)) for item in order.items],
        "total_amount": order.total_amount if order.total_amount is not None and abs(order.total_amount) <= _MAX_AMOUNT else None,
        "currency": _text(order.currency, 3),
        "amounts": {name: str(value) for name, value in asdict(order.amounts).items() if value is not None},
    }


def _text(value: str, length: int | None = None) -> str:
    value = (value or "").replace("\x00", "")
    return value[:length] if length is not None else value


def _clean(value):
    """JSON without NUL characters (PostgreSQL's jsonb refuses \\u0000)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


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
