"""The channel heartbeat wired to a shop's data: hourly counts of the Facebook & Instagram channel's
orders that reached Shopify, fed to the pure detector in heartbeat.py.

Where the counts come from: ShopifySocialOrder rows (shopify_created_at). The history is read once, by
the poll's first look at Shopify (orders.schedule.ORDER_WINDOW: the channel's orders of the last 35 days,
5 weeks, in one Admin GraphQL query), and kept up to date by the orders/create webhook
(orders.services.shopify_order_received stores every channel order) and the poll's incremental reads.
Website-checkout shops are covered the same way: their orders arrive as ordinary Shopify orders
attributed to the channel, and only arrival in Shopify is counted.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.utils import timezone

from orderguard.alerts import heartbeat, noise
from orderguard.alerts.delivery import alert_raise
from orderguard.alerts.links import app_link
from orderguard.alerts.models import Alert
from orderguard.orders.models import ShopifySocialOrder, SocialOrder
from orderguard.shops.models import Shop

HISTORY = timedelta(weeks=5)
RECENT_HOURS = max(heartbeat.WINDOWS_HOURS)
# One drop alert a day at most: a channel that stays silent is one problem, not one per hour.
REPEAT_AFTER = timedelta(hours=24)
CHANNEL = "Facebook & Instagram"


def hour_counts(*, moments: list[datetime], start: datetime, hours: int, tz_name: str) -> list[heartbeat.HourCount]:
    """Counts per local hour for `hours` consecutive hours from `start` (a UTC hour boundary)."""
    tz = noise.zone(tz_name)
    slots = Counter(int((moment - start).total_seconds() // 3600) for moment in moments if moment >= start)
    return [heartbeat.HourCount((start + timedelta(hours=h)).astimezone(tz).replace(tzinfo=None), slots.get(h, 0)) for h in range(hours)]


def heartbeat_evaluate_shop(*, shop: Shop, now: datetime | None = None) -> list[Alert]:
    """Raise a heartbeat alert when the channel's orders stopped reaching Shopify (a rate far below its
    usual level, or Meta showing new orders that Shopify never received)."""
    now = now or timezone.now()
    if Alert.objects.filter(shop=shop, event=Alert.Event.HEARTBEAT_DROP, created_at__gte=now - REPEAT_AFTER).exists():
        return []
    end = now.replace(minute=0, second=0, microsecond=0)  # the last complete hour ends here
    start = end - HISTORY
    moments = list(
        ShopifySocialOrder.objects.filter(shop=shop, shopify_created_at__gte=start, shopify_created_at__lt=end)
        .values_list("shopify_created_at", flat=True)
    )
    counts = hour_counts(moments=moments, start=start, hours=int(HISTORY / timedelta(hours=1)), tz_name=shop.iana_timezone)
    profile = heartbeat.profile_learn(counts[:-RECENT_HOURS])
    verdict = heartbeat.heartbeat_check(profile=profile, recent=counts[-RECENT_HOURS:])
    if verdict.alert:
        window_start = end - timedelta(hours=verdict.window_hours)
        detail = f"{verdict.observed} orders in the last {verdict.window_hours} h, usually {verdict.expected:.0f}"
        return _raise(shop, key=f"heartbeat_drop:{window_start.isoformat()}", now=now, detail=detail,
                      facts={"window_hours": verdict.window_hours, "expected": round(verdict.expected, 1), "observed": verdict.observed})
    meta_times = list(
        SocialOrder.objects.filter(shop=shop, meta_created_at__gte=now - timedelta(hours=24), is_test_order=False, meta_cancelled=False)
        .values_list("meta_created_at", flat=True)
    )
    gap = heartbeat.meta_without_shopify(meta_order_times=meta_times, shopify_order_times=moments, now=now)
    if gap.alert:
        detail = f"Meta shows {gap.meta_orders} new orders since {gap.since:%Y-%m-%d %H:%M} UTC; Shopify received none"
        return _raise(shop, key=f"heartbeat_meta_gap:{gap.since.isoformat()}", now=now, detail=detail, facts={"meta_orders": gap.meta_orders})
    return []


def _raise(shop: Shop, *, key: str, now: datetime, detail: str, facts: dict) -> list[Alert]:
    payload = {"orders": [], "channel": CHANNEL, "detail": detail, "heartbeat": facts, "link": app_link(shop=shop)}
    alert = alert_raise(shop=shop, event=Alert.Event.HEARTBEAT_DROP, dedupe_key=key, payload=payload, now=now)
    return [alert] if alert else []
