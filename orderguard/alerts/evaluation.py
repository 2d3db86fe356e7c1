"""Which alerts a shop's state calls for, raised once each (the Alert dedupe keys make it idempotent).

Alerts sit above orders and health: they learn of events by reading state, never by being called from
the poll. `evaluate_alerts` (every minute, see orderguard/celery.py) runs alerts_evaluate_shop for every
installed shop with a working destination; each step is one or two indexed queries per shop.

Events and their dedupe keys:
- order_stuck:<meta id>             an order needs action (the engine's grace period has passed)
- auto_cancel_near_7d / _1d:<id>    a stuck order's auto-cancel is 7 days / 1 day away
- accepted_unshipped_near_cancel:<id>  accepted on Meta (IN_PROGRESS), not shipped, auto-cancel in 7 days
- order_still_stuck_24h:<id>        stuck for 24 h: the escalation (noise.escalation_due)
- poller_stalled:<stale_since>      PollState.stale_since was set (one alert per stall)
- backlog_cleared:<last stuck alert> nothing needs action any more, after an order_stuck alert
- new_social_order:<id>             opt-in: every new Facebook/Instagram order as Meta sees it
- check_failing:<code>:<changed at>  a health check turned failing (alerts_on_check_result_changed)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from orderguard.alerts import noise
from orderguard.alerts.delivery import alert_raise
from orderguard.alerts.links import app_link
from orderguard.alerts.models import Alert, AlertDestination
from orderguard.orders.models import PollState, SocialOrder
from orderguard.reconciliation.engine import MetaState
from orderguard.shops.models import Shop

AUTO_CANCEL_WARNINGS = ((Alert.Event.AUTO_CANCEL_NEAR_7D, timedelta(days=7)), (Alert.Event.AUTO_CANCEL_NEAR_1D, timedelta(days=1)))
ACCEPTED_WARNING = timedelta(days=7)
# New orders older than this when first seen are history, not news (a shop that just opted in).
NEW_ORDER_LOOKBACK = timedelta(hours=2)
ORDER_FIELDS = ("id", "meta_order_id", "channel", "total_amount", "currency", "stuck_since", "deadline_at", "meta_created_at")
Event = Alert.Event


def shops_to_evaluate():
    """Installed shops with at least one destination that can receive."""
    working = AlertDestination.objects.filter(status=AlertDestination.Status.OK).values("shop_id")
    return Shop.objects.filter(status=Shop.Status.ACTIVE, pk__in=working)


def alerts_evaluate_shop(*, shop: Shop, now: datetime | None = None) -> list[Alert]:
    """Raise every alert the shop's state calls for that was not raised before. Returns the new ones.
    The keys already raised are read in one query, so a shop with nothing new costs a few queries."""
    now = now or timezone.now()
    stuck = list(SocialOrder.objects.filter(shop=shop, needs_action=True).only(*ORDER_FIELDS).order_by("meta_created_at"))
    candidates = [candidate for order in stuck for candidate in _stuck_order_events(order, now=now)]
    accepted = SocialOrder.objects.filter(
        shop=shop, needs_action=False, meta_state=MetaState.IN_PROGRESS, meta_cancelled=False,
        deadline_at__gt=now, deadline_at__lte=now + ACCEPTED_WARNING,
    ).only(*ORDER_FIELDS)
    candidates += [(Event.ACCEPTED_UNSHIPPED_NEAR_CANCEL, order) for order in accepted]
    candidates += [(Event.NEW_SOCIAL_ORDER, order) for order in _new_orders(shop, now=now)]
    keys = {f"{event}:{order.meta_order_id}" for event, order in candidates}
    seen = set(Alert.objects.filter(shop=shop, dedupe_key__in=keys).values_list("dedupe_key", flat=True)) if keys else set()
    raised = []
    for event, order in candidates:
        key = f"{event}:{order.meta_order_id}"
        if key not in seen:
            seen.add(key)
            raised.append(alert_raise(shop=shop, event=event, dedupe_key=key, payload=order_payload(shop=shop, orders=[order]), now=now))
    raised += _poller_alerts(shop, now=now)
    if not stuck:
        raised += _backlog_cleared(shop, now=now)
    return [alert for alert in raised if alert is not None]


def alerts_on_check_result_changed(*, shop: Shop, code: str, failing: bool, detail: str = "", changed_at: datetime | None = None) -> Alert | None:
    """The hook for the health checks (orderguard.health): call it, or connect it to the health app's
    result-changed signal, when a check's stored result changes. A check that turns failing is an alert
    (once per change); one that passes again raises nothing."""
    if not failing:
        return None
    changed_at = changed_at or timezone.now()
    payload = {"check": code, "detail": detail[:300], "link": app_link(shop=shop, path="settings/"), "orders": []}
    return alert_raise(shop=shop, event=Event.CHECK_FAILING, dedupe_key=f"check_failing:{code}:{changed_at.isoformat()}", payload=payload)


def on_check_result_changed(sender, *, shop: Shop, code: str, result: str, explanation: str, changed_at: datetime, **kwargs) -> None:
    """Receiver of orderguard.health.signals.check_result_changed (connected in AlertsConfig.ready)."""
    alerts_on_check_result_changed(shop=shop, code=code, failing=result == "failing", detail=explanation, changed_at=changed_at)


def _stuck_order_events(order: SocialOrder, *, now: datetime) -> list[tuple[str, SocialOrder]]:
    events = [(Event.ORDER_STUCK, order)]
    if order.deadline_at and order.deadline_at > now:
        events += [(event, order) for event, before in AUTO_CANCEL_WARNINGS if order.deadline_at - now <= before]
    if noise.escalation_due(stuck_since=order.stuck_since, now=now, resolved=False, escalated=False):
        events.append((Event.ORDER_STILL_STUCK_24H, order))
    return events


def order_payload(*, shop: Shop, orders: list[SocialOrder]) -> dict:
    """What an alert says about orders: ids, amounts and links. Never the buyer."""
    lines, totals = [], {}
    for order in orders:
        amount = order.total_amount
        lines.append({
            "id": order.meta_order_id,
            "name": f"Meta order {order.meta_order_id}",
            "channel": order.channel,
            "amount": str(amount) if amount is not None else "",
            "currency": order.currency,
            "url": app_link(shop=shop, path=f"orders/{order.pk}/"),
            "deadline_at": order.deadline_at.isoformat() if order.deadline_at else "",
        })
        if amount is not None and order.currency:
            totals[order.currency] = totals.get(order.currency, Decimal(0)) + amount
    payload: dict = {"orders": lines, "link": app_link(shop=shop)}
    if totals:
        currency, amount = max(totals.items(), key=lambda item: item[1])
        payload["money_at_stake"] = {"amount": str(amount), "currency": currency}
    if orders and orders[0].channel:
        payload["channel"] = orders[0].channel.capitalize()
    return payload


def _poller_alerts(shop: Shop, *, now: datetime) -> list[Alert]:
    stale_since = PollState.objects.filter(shop=shop, stale_since__isnull=False).values_list("stale_since", flat=True).first()
    if stale_since is None:
        return []
    key = f"poller_stalled:{stale_since.isoformat()}"
    if Alert.objects.filter(shop=shop, dedupe_key=key).exists():
        return []
    payload = {"orders": [], "link": app_link(shop=shop), "detail": "", "stale_since": stale_since.isoformat()}
    alert = alert_raise(shop=shop, event=Event.POLLER_STALLED, dedupe_key=key, payload=payload, now=now)
    return [alert] if alert else []


def _backlog_cleared(shop: Shop, *, now: datetime) -> list[Alert]:
    """Recovery: nothing needs action, and an order_stuck alert came after the last recovery alert."""
    last_stuck = Alert.objects.filter(shop=shop, event=Event.ORDER_STUCK).order_by("-pk").values_list("pk", flat=True).first()
    if last_stuck is None:
        return []
    key = f"backlog_cleared:{last_stuck}"
    if Alert.objects.filter(shop=shop, dedupe_key=key).exists():
        return []
    alert = alert_raise(shop=shop, event=Event.BACKLOG_CLEARED, dedupe_key=key, payload={"orders": [], "link": app_link(shop=shop)}, now=now)
    return [alert] if alert else []


def _new_orders(shop: Shop, *, now: datetime):
    if not AlertDestination.objects.filter(shop=shop, notify_new_orders=True, status=AlertDestination.Status.OK).exists():
        return []
    since = now - NEW_ORDER_LOOKBACK
    return list(SocialOrder.objects.filter(shop=shop, first_seen_at__gte=since, meta_created_at__gte=since).only(*ORDER_FIELDS))
