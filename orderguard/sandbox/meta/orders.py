"""How Meta orders move over time, evaluated lazily: every request that touches an account first calls
advance(), which applies each transition that fell due before `now` at the time it fell due. Tests move
time with time-machine; nothing runs in the background.

Transitions, per order, earliest first:
- FB_PROCESSING -> CREATED after the order's processing period (default 30 min), unless it is stuck. With
  no order management app registered, Meta moves it straight to IN_PROGRESS (auto-acknowledged).
- The Shopify channel, by the account's behaviour, `ack_delay_minutes` after the order became CREATED or
  after the behaviour began, whichever is later: "healthy" imports the order into the linked Shopify
  shop and acknowledges it (IN_PROGRESS, merchant_order_id = the Shopify order id); "imports_without_ack"
  only imports; "broken" does nothing.
- Meta cancels orders not marked shipped 30 days after they were placed (Business Help Center).

The merchant's own actions (acknowledge, cancel) are here too, so every state change has one home.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction

from orderguard.sandbox.meta import errors, shopify_channel
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaOrder

State = MetaOrder.State
Behaviour = MetaCommerceAccount.Behaviour

AUTO_CANCEL_AFTER = timedelta(days=30)
# Orders stuck in FB_PROCESSING may be cancelled by the seller after this long.
PROCESSING_CANCELLABLE_AFTER = timedelta(hours=24)
CANCEL_REASON_CODES = ("CUSTOMER_REQUESTED", "OUT_OF_STOCK", "INVALID_ADDRESS", "SUSPICIOUS_ORDER", "CANCEL_REASON_OTHER")


# What advance() needs to know whether an order has a transition due; the rest loads only when one does
# (most requests find nothing due, and decoding every order's JSON on every request made the stand-in slow).
_TIMING_FIELDS = (
    "id", "account_id", "state", "created", "last_updated", "processing_minutes", "stuck_in_processing",
    "became_created_at", "shipments", "shopify_order_id",
)


def advance(*, account: MetaCommerceAccount, now: datetime) -> None:
    with transaction.atomic(using="sandbox"):
        orders = account.orders.filter(state__in=[State.FB_PROCESSING, State.CREATED, State.IN_PROGRESS]).only(*_TIMING_FIELDS)
        for order in orders:
            _advance_order(account, order, now)


def _advance_order(account: MetaCommerceAccount, order: MetaOrder, now: datetime) -> None:
    changed = False
    while True:
        due = [(at, action) for at, action in _pending_events(account, order) if at <= now]
        if not due:
            break
        at, action = min(due, key=lambda event: event[0])
        action(account, order, at)
        changed = True
    if changed:
        order.save()


def _pending_events(account: MetaCommerceAccount, order: MetaOrder) -> list:
    events = []
    if order.state == State.FB_PROCESSING and not order.stuck_in_processing:
        events.append((order.created + timedelta(minutes=order.processing_minutes), _finalize))
    if order.state == State.CREATED and _channel_connected(account):
        acks = account.channel_behaviour == Behaviour.HEALTHY
        imports = account.channel_behaviour == Behaviour.IMPORTS_WITHOUT_ACK and order.shopify_order_id is None
        if acks or imports:
            became_created = order.became_created_at or order.last_updated
            events.append((max(became_created, account.behaviour_since) + timedelta(minutes=account.ack_delay_minutes), _channel_sync))
    if order.state in (State.CREATED, State.IN_PROGRESS) and not order.shipments:
        events.append((order.created + AUTO_CANCEL_AFTER, _auto_cancel))
    return events


def _channel_connected(account: MetaCommerceAccount) -> bool:
    shop = account.shopify_shop
    return shop is not None and shop.facebook_channel_installed


def _finalize(account: MetaCommerceAccount, order: MetaOrder, at: datetime) -> None:
    order.became_created_at = at
    order.last_updated = at
    if account.order_management_apps:
        order.state = State.CREATED
    else:
        order.state = State.IN_PROGRESS
        order.acknowledged_at = at


def _channel_sync(account: MetaCommerceAccount, order: MetaOrder, at: datetime) -> None:
    if order.shopify_order is None:
        shopify_channel.import_order(order, account.shopify_shop, at=at)
    if account.channel_behaviour == Behaviour.HEALTHY:
        order.state = State.IN_PROGRESS
        order.merchant_order_id = str(order.shopify_order.numeric_id)
        order.acknowledged_at = at
        order.last_updated = at


def _auto_cancel(account: MetaCommerceAccount, order: MetaOrder, at: datetime) -> None:
    _record_cancellation(
        order,
        at=at,
        by="meta",
        reason={"reason_code": "CANCEL_REASON_OTHER", "reason_description": "The order was not marked as shipped within 30 days."},
        restock=False,
        lines=None,
    )
    if account.channel_behaviour != Behaviour.BROKEN:
        shopify_channel.cancel_in_shopify(order, at=at)


# The merchant's actions
# ------------------------------------------------------------------------------------------------------


def not_ready(order: MetaOrder) -> errors.GraphError:
    return errors.GraphError(f"(#100) Order {order.id} is still being processed by Facebook and cannot be acknowledged yet.", code=100)


def acknowledge(order: MetaOrder, *, now: datetime, reference: str) -> None:
    if order.state == State.FB_PROCESSING:
        raise not_ready(order)
    if order.state != State.CREATED:
        raise errors.GraphError(f"(#100) Order {order.id} is in state {order.state} and cannot be acknowledged.", code=100)
    order.state = State.IN_PROGRESS
    order.acknowledged_at = now
    order.last_updated = now
    if reference:
        order.merchant_order_id = reference
    order.save(update_fields=["state", "acknowledged_at", "last_updated", "merchant_order_id"])


def cancel(order: MetaOrder, *, now: datetime, reason: dict, restock: bool, lines: list[tuple[str, int]] | None) -> dict:
    """Cancel some or all remaining items. `lines` is [(item id, quantity)], or None for the whole order."""
    if order.state == State.COMPLETED:
        raise errors.GraphError(f"(#100) Order {order.id} is completed and cannot be cancelled.", code=100)
    if order.state == State.FB_PROCESSING and now - order.created <= PROCESSING_CANCELLABLE_AFTER:
        raise errors.GraphError(
            f"(#100) Order {order.id} is still being processed by Facebook. It can be cancelled once it leaves "
            "FB_PROCESSING, or after 24 hours in FB_PROCESSING.",
            code=100,
        )
    remaining = {row["id"]: _remaining(row) for row in order.items}
    if lines is not None:
        for item_id, quantity in lines:
            if item_id not in remaining:
                raise errors.invalid_parameter(f"Item {item_id} is not part of order {order.id}")
            if quantity < 1 or quantity > remaining[item_id]:
                raise errors.invalid_parameter(f"Cannot cancel {quantity} of item {item_id}: {remaining[item_id]} can be cancelled")
    elif not any(remaining.values()):
        raise errors.GraphError(f"(#100) Order {order.id} has no items left to cancel.", code=100)
    record = _record_cancellation(order, at=now, by="merchant", reason=reason, restock=restock, lines=lines)
    if order.state == State.COMPLETED and order.account.channel_behaviour != Behaviour.BROKEN:
        shopify_channel.cancel_in_shopify(order, at=now)
    order.save()
    return record


def cancel_by_meta(order: MetaOrder, *, at: datetime, reason_code: str, description: str) -> dict:
    """Meta (or the buyer through Meta) cancelled the whole order: fraud review, buyer request, ..."""
    return _record_cancellation(order, at=at, by="meta", reason={"reason_code": reason_code, "reason_description": description}, restock=False, lines=None)


def _record_cancellation(order: MetaOrder, *, at: datetime, by: str, reason: dict, restock: bool, lines) -> dict:
    wanted = dict(lines) if lines is not None else {row["id"]: _remaining(row) for row in order.items}
    cancelled_lines = []
    for row in order.items:
        quantity = wanted.get(row["id"], 0)
        if quantity:
            row["cancelled"] = int(row.get("cancelled", 0)) + quantity
            cancelled_lines.append({"id": row["id"], "quantity": quantity})
    record = {
        "id": new_id(15),
        "created": at.isoformat(),
        "by": by,
        "cancel_reason": reason,
        "restock_items": restock,
        "items": cancelled_lines,
    }
    order.cancellations = [*order.cancellations, record]
    if not any(_remaining(row) for row in order.items):
        order.state = State.COMPLETED
    order.last_updated = at
    return record


def _remaining(row: dict) -> int:
    return int(row["quantity"]) - int(row.get("cancelled", 0)) - int(row.get("fulfilled", 0))


def new_id(digits: int = 16) -> str:
    return str(10 ** (digits - 1) + secrets.randbelow(9 * 10 ** (digits - 1)))
