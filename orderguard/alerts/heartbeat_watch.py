"""The channel heartbeat wired to a shop's data: hourly counts of Facebook and Instagram orders that
reached Shopify, fed to the pure detector in heartbeat.py, once per social channel.

Where the counts come from: ShopifySocialOrder rows (shopify_created_at, social_channel). The history is
read once, by the poll's first look at Shopify (orders.schedule.ORDER_WINDOW: the channel's orders of the
last 35 days, 5 weeks, in one Admin GraphQL query), and kept up to date by the orders/create webhook
(orders.services.shopify_order_received stores every channel order) and the poll's incremental reads.
Website-checkout shops are covered the same way: their orders arrive as ordinary Shopify orders
attributed to the channel, and only arrival in Shopify is counted.

The watches (one verdict each, the same rule of heartbeat.py):
- "facebook" and "instagram": the orders whose social channel is known. Each learns from the hour of the
  shop's first order with a known channel on (rows stored before the channel was read are null, and
  counting them as silence would make the profile too low), so a channel stays "learning" until it has
  MIN_HISTORY_WEEKS of its own history.
- "all": every order, known channel or not, so nothing is lost (a website-checkout shop whose orders
  carry no channel, or a shop whose history predates the channel field, is watched as before). It is the
  fallback: it stays silent when a channel's own alert was raised in the same evaluation or the last
  REPEAT_AFTER, since that alert already explains the combined drop.
Meta showing new orders that Shopify never received is per channel too: the Meta orders of a channel
(SocialOrder.channel, Meta's `channel` field) against the Shopify orders of that channel or of no known
channel (an order that does not say may be that channel's, so it never makes a false gap); and combined,
every Meta order against every Shopify order, under the same fallback rule.
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
from orderguard.reconciliation.matching import SOCIAL_CHANNELS
from orderguard.shops.models import Shop

HISTORY = timedelta(weeks=5)
RECENT_HOURS = max(heartbeat.WINDOWS_HOURS)
# One alert a day per watch at most: a channel that stays silent is one problem, not one per hour.
REPEAT_AFTER = timedelta(hours=24)
COMBINED = "all"
WATCHES = (*SOCIAL_CHANNELS, COMBINED)
CHANNEL_NAMES = {"facebook": "Facebook", "instagram": "Instagram", COMBINED: "Facebook & Instagram"}
# Kept for callers that name the combined channel.
CHANNEL = CHANNEL_NAMES[COMBINED]
_HOUR = timedelta(hours=1)


def hour_counts(*, moments: list[datetime], start: datetime, hours: int, tz_name: str) -> list[heartbeat.HourCount]:
    """Counts per local hour for `hours` consecutive hours from `start` (a UTC hour boundary)."""
    tz = noise.zone(tz_name)
    slots = Counter(int((moment - start).total_seconds() // 3600) for moment in moments if moment >= start)
    return [heartbeat.HourCount((start + timedelta(hours=h)).astimezone(tz).replace(tzinfo=None), slots.get(h, 0)) for h in range(hours)]


def watch_of_key(dedupe_key: str) -> str:
    """The watch a heartbeat alert's key names ("heartbeat_drop:instagram:<time>"); keys from before the
    channels were watched apart ("heartbeat_drop:<time>") are the combined watch's."""
    parts = dedupe_key.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[1] in WATCHES else COMBINED


def heartbeat_evaluate_shop(*, shop: Shop, now: datetime | None = None) -> list[Alert]:
    """Raise a heartbeat alert per social channel whose orders stopped reaching Shopify (a rate far below
    its usual level, or Meta showing new orders of it that Shopify never received), and for all channels
    together when no channel alert explains a combined silence."""
    now = now or timezone.now()
    recent_keys = Alert.objects.filter(shop=shop, event=Alert.Event.HEARTBEAT_DROP, created_at__gte=now - REPEAT_AFTER).values_list("dedupe_key", flat=True)
    quiet = {watch_of_key(key) for key in recent_keys}
    end = now.replace(minute=0, second=0, microsecond=0)  # the last complete hour ends here
    start = end - HISTORY
    rows = list(
        ShopifySocialOrder.objects.filter(shop=shop, shopify_created_at__gte=start, shopify_created_at__lt=now)
        .values_list("shopify_created_at", "social_channel")
    )
    meta_rows = list(
        SocialOrder.objects.filter(shop=shop, meta_created_at__gte=now - timedelta(hours=24), is_test_order=False, meta_cancelled=False)
        .values_list("meta_created_at", "channel")
    )
    known = [moment for moment, channel in rows if channel in SOCIAL_CHANNELS]
    known_since = min(known).replace(minute=0, second=0, microsecond=0) if known else None
    raised: list[Alert] = []
    for watch in WATCHES:
        if watch in quiet or (watch == COMBINED and (raised or quiet)):
            continue
        if watch == COMBINED:
            moments, watch_start = [moment for moment, _ in rows], start
            meta_times = [moment for moment, _ in meta_rows]
            arrivals = moments
        else:
            if known_since is None:
                continue  # no order says its channel: only the combined watch can tell anything
            moments, watch_start = [moment for moment, channel in rows if channel == watch], max(start, known_since)
            meta_times = [moment for moment, channel in meta_rows if channel == watch]
            arrivals = [moment for moment, channel in rows if channel in (watch, None)]
        alert = _evaluate_watch(shop, watch=watch, moments=moments, start=watch_start, end=end, meta_times=meta_times, arrivals=arrivals, now=now)
        if alert is not None:
            raised.append(alert)
    return raised


def _evaluate_watch(shop: Shop, *, watch: str, moments: list[datetime], start: datetime, end: datetime,
                    meta_times: list[datetime], arrivals: list[datetime], now: datetime) -> Alert | None:
    hours = int((end - start) / _HOUR)
    counted = [moment for moment in moments if moment < end]
    if hours > RECENT_HOURS:
        counts = hour_counts(moments=counted, start=start, hours=hours, tz_name=shop.iana_timezone)
        profile = heartbeat.profile_learn(counts[:-RECENT_HOURS])
        verdict = heartbeat.heartbeat_check(profile=profile, recent=counts[-RECENT_HOURS:])
        if verdict.alert:
            window_start = end - timedelta(hours=verdict.window_hours)
            detail = f"{CHANNEL_NAMES[watch]}: {verdict.observed} orders in the last {verdict.window_hours} h, usually {verdict.expected:.0f}"
            facts = {"window_hours": verdict.window_hours, "expected": round(verdict.expected, 1), "observed": verdict.observed}
            return _raise(shop, watch=watch, key=f"heartbeat_drop:{watch}:{window_start.isoformat()}", now=now, detail=detail, facts=facts)
    gap = heartbeat.meta_without_shopify(meta_order_times=meta_times, shopify_order_times=arrivals, now=now)
    if gap.alert:
        detail = f"{CHANNEL_NAMES[watch]}: Meta shows {gap.meta_orders} new orders since {gap.since:%Y-%m-%d %H:%M} UTC; Shopify received none"
        return _raise(shop, watch=watch, key=f"heartbeat_meta_gap:{watch}:{gap.since.isoformat()}", now=now, detail=detail, facts={"meta_orders": gap.meta_orders})
    return None


def _raise(shop: Shop, *, watch: str, key: str, now: datetime, detail: str, facts: dict) -> Alert | None:
    payload = {"orders": [], "channel": CHANNEL_NAMES[watch], "detail": detail, "heartbeat": {**facts, "channel": watch}, "link": app_link(shop=shop)}
    return alert_raise(shop=shop, event=Alert.Event.HEARTBEAT_DROP, dedupe_key=key, payload=payload, now=now)
