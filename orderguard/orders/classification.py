"""Running the detection engine over SocialOrder rows and storing its verdicts, with history events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from django.db.models import Q

from orderguard.core import sql
from orderguard.orders.detection_settings import detection_settings_for
from orderguard.orders.events import order_shopify_match_event, order_status_event
from orderguard.orders.models import ShopifySocialOrder, SocialOrder, SocialOrderEvent
from orderguard.reconciliation.engine import (
    DONE,
    ChannelFacts,
    DetectionSettings,
    MetaState,
    OrderFacts,
    Previous,
    Reason,
    ShopifyMatch,
    Status,
    Verdict,
    classify,
)
from orderguard.shops.models import Shop

# What classification reads and writes: the open orders of a poll are loaded with these fields only.
CLASSIFY_FIELDS = (
    "id", "shop_id", "meta_order_id", "meta_state", "meta_created_at", "meta_updated_at", "meta_cancelled", "updated_at", "recheck_at",
)
VERDICT_FIELDS = (
    "status", "reason", "needs_action", "stuck_since", "resolved_at", "deadline_at",
    "shopify_order_id", "shopify_order_name", "shopify_matched_field",
)
# What a poll loads of each order it may classify.
LOADED_FIELDS = (*CLASSIFY_FIELDS, *VERDICT_FIELDS)
# Stored with the verdict, not part of it: a new recheck time alone is saved, not counted as a change.
SAVED_FIELDS = (*VERDICT_FIELDS, "recheck_at")


def social_orders_to_classify(
    *, shop: Shop, now: datetime, also: Sequence[SocialOrder] = (), every_timed: bool = False
) -> list[SocialOrder]:
    """The orders a poll that learnt something classifies: every open order of the shop, the closed ones
    whose recheck time has passed (an accepted order reaching the warning before Meta's auto-cancel), and
    `also` (rows the poll wrote: a changed row may have just closed). With every_timed, every closed order
    with a recheck time at all: the times were computed with other settings."""
    timed = Q(recheck_at__isnull=False) if every_timed else Q(recheck_at__lt=now)
    open_orders = SocialOrder.objects.filter(shop=shop).filter(~Q(status__in=[s.value for s in DONE]) | timed)
    by_pk = {order.pk: order for order in open_orders.only(*LOADED_FIELDS)}
    by_pk.update({order.pk: order for order in also})
    return list(by_pk.values())


def social_orders_due(*, shop: Shop, now: datetime) -> list[SocialOrder]:
    """The orders whose verdict may have changed with time alone: those past their recheck time (one
    indexed read; on a poll that learnt nothing new, nothing else can have changed). Every unchanged poll
    runs it, so it is plain SQL (orderguard.core.sql says why)."""
    params = sql.adapted(SocialOrder, {"shop": shop.pk, "recheck_at": now})
    return sql.fetch(SocialOrder, _due_sql(), params, names=LOADED_FIELDS)


@cache
def _due_sql() -> str:
    return (f"SELECT {sql.columns(SocialOrder, LOADED_FIELDS)} FROM {sql.table(SocialOrder)}"
            " WHERE shop_id = %s AND recheck_at < %s")


def social_orders_classify(
    *,
    shop: Shop,
    orders: Sequence[SocialOrder],
    channel: ChannelFacts,
    shopify_checked_at: datetime | None,
    now: datetime,
    fresh_ids: frozenset[int] = frozenset(),
    refresh_matches: bool = True,
    detection: DetectionSettings | None = None,
) -> list[SocialOrder]:
    """Classify `orders` (rows in `fresh_ids` have no previous verdict) and save what changed, with each
    row's recheck time. Returns the rows whose verdict changed.

    With refresh_matches=False the Shopify match stored on each row is reused instead of looked up: right
    when nothing about Shopify was read since (webhooks reclassify the orders they match at once).
    """
    if not orders:
        return []
    matches = _matches(shop=shop, orders=orders, look_up=refresh_matches or bool(fresh_ids))
    engine_settings = detection or detection_settings_for(shop=shop)
    changed: list[SocialOrder] = []
    to_save: list[SocialOrder] = []
    events: list[SocialOrderEvent] = []
    for order in orders:
        found = matches.get(order.meta_order_id)
        previous = None if order.pk in fresh_ids else _previous(order)
        before, recheck_before = _verdict_values(order), order.recheck_at
        verdict = classify(_facts(order, found, shopify_checked_at), channel=channel, previous=previous, now=now, settings=engine_settings)
        _apply(order, verdict, found)
        events.extend(_verdict_events(order, before=before, first=previous is None, found=found, now=now))
        if previous is None or before != _verdict_values(order):
            changed.append(order)
            to_save.append(order)
        elif recheck_before != order.recheck_at:
            to_save.append(order)
    if to_save:
        SocialOrder.objects.bulk_update(to_save, [*SAVED_FIELDS, "updated_at"])
    if events:
        SocialOrderEvent.objects.bulk_create(events)
    return changed


def _facts(order: SocialOrder, found: ShopifyMatch | None, shopify_checked_at: datetime | None) -> OrderFacts:
    return OrderFacts(
        meta_state=order.meta_state,
        created_at=order.meta_created_at,
        meta_cancelled=order.meta_cancelled,
        updated_at=order.meta_updated_at,
        shopify_match=found,
        # Absence in Shopify proves something only if Shopify was read after the order existed.
        shopify_checked=shopify_checked_at is not None and shopify_checked_at >= order.meta_created_at,
    )


def _previous(order: SocialOrder) -> Previous:
    return Previous(Status(order.status), Reason(order.reason), order.stuck_since, order.resolved_at)


def _verdict_values(order: SocialOrder) -> dict:
    return {field: getattr(order, field) for field in VERDICT_FIELDS}


def _apply(order: SocialOrder, verdict: Verdict, found: ShopifyMatch | None) -> None:
    order.status, order.reason, order.needs_action = verdict.status.value, verdict.reason.value, verdict.needs_action
    order.stuck_since, order.resolved_at, order.deadline_at = verdict.stuck_since, verdict.resolved_at, verdict.deadline_at
    order.recheck_at = verdict.recheck_at
    order.shopify_order_id = found.shopify_order_id if found else ""
    order.shopify_order_name = found.name if found else ""
    order.shopify_matched_field = found.matched_field if found else ""


def _verdict_events(order: SocialOrder, *, before: dict, first: bool, found: ShopifyMatch | None, now: datetime) -> list[SocialOrderEvent]:
    events = []
    if first or before["status"] != order.status:
        events.append(order_status_event(order=order, from_status="" if first else before["status"], to_status=order.status,
                                         reason=order.reason, at=now))
    if found and before["shopify_order_id"] != found.shopify_order_id:
        events.append(order_shopify_match_event(order=order, match=found, at=now))
    return events


def _matches(*, shop: Shop, orders: Sequence[SocialOrder], look_up: bool) -> dict[str, ShopifyMatch]:
    if look_up:
        return _shopify_matches(shop=shop, meta_ids=[o.meta_order_id for o in orders])
    return {o.meta_order_id: _stored_match(o) for o in orders if o.shopify_order_id}


def _stored_match(order: SocialOrder) -> ShopifyMatch:
    return ShopifyMatch(shopify_order_id=order.shopify_order_id, name=order.shopify_order_name, matched_field=order.shopify_matched_field)


def _shopify_matches(*, shop: Shop, meta_ids: list[str]) -> dict[str, ShopifyMatch]:
    """The Shopify order of each Meta id; a live order wins over a cancelled one."""
    best: dict[str, ShopifySocialOrder] = {}
    for row in ShopifySocialOrder.objects.filter(shop=shop, meta_order_id__in=meta_ids).order_by("pk"):
        current = best.get(row.meta_order_id)
        if current is None or (current.cancelled_at is not None and row.cancelled_at is None):
            best[row.meta_order_id] = row
    return {
        meta_id: ShopifyMatch(shopify_order_id=row.shopify_order_id, name=row.name, matched_field=row.matched_field)
        for meta_id, row in best.items()
    }
