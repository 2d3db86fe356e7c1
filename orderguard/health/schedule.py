"""When a shop's checks are due: the cheap ones once after each successful poll, all of them once a day
at a minute of the day picked by a hash of the shop id, so the day's runs spread out and never all start
at once."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta

from django.db.models import F, OuterRef, Q, Subquery

from orderguard.health.models import HealthSchedule, ReconnectSession
from orderguard.orders.models import PollState
from orderguard.shops.models import Shop

MINUTES_PER_DAY = 24 * 60
BATCH = 500  # shops enqueued per tick and kind; the rest follow on the next tick


def daily_slot(shop_id: int) -> timedelta:
    """The shop's minute of the (UTC) day for the full run: stable, and spread evenly over the day."""
    digest = hashlib.sha256(f"health:{shop_id}".encode()).hexdigest()
    return timedelta(minutes=int(digest, 16) % MINUTES_PER_DAY)


def last_slot_before(shop_id: int, now: datetime) -> datetime:
    midnight = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    slot = midnight + daily_slot(shop_id)
    return slot if slot <= now else slot - timedelta(days=1)


def _active_shops():
    return Shop.objects.filter(status=Shop.Status.ACTIVE)


def health_cheap_due(*, now: datetime) -> list[int]:
    """Shops polled successfully since their cheap checks last ran."""
    ran = HealthSchedule.objects.filter(shop=OuterRef("pk")).values("cheap_ran_at")[:1]
    polled = PollState.objects.filter(shop=OuterRef("pk")).values("last_success_at")[:1]
    shops = _active_shops().annotate(ran=Subquery(ran), polled=Subquery(polled)).filter(polled__isnull=False)
    return list(shops.filter(Q(ran__isnull=True) | Q(ran__lt=F("polled"))).values_list("pk", flat=True)[:BATCH])


def health_daily_due(*, now: datetime) -> list[int]:
    """Shops whose minute of the day has come since their last full run."""
    ran = dict(HealthSchedule.objects.values_list("shop_id", "full_ran_at"))
    due = []
    for shop_id in _active_shops().values_list("pk", flat=True).iterator():
        last = ran.get(shop_id)
        if last is None or last < last_slot_before(shop_id, now):
            due.append(shop_id)
            if len(due) >= BATCH:
                break
    return due


VERIFY_EVERY = timedelta(minutes=5)


def reconnects_verify_due(*, now: datetime) -> list[int]:
    """Guided reconnects verifying whose last round is VERIFY_EVERY old (or that reached their deadline)."""
    sessions = ReconnectSession.objects.filter(status=ReconnectSession.Status.VERIFYING)
    due = sessions.filter(Q(last_verified_at__isnull=True) | Q(last_verified_at__lte=now - VERIFY_EVERY) | Q(verify_deadline__lte=now))
    return list(due.values_list("pk", flat=True)[:BATCH])
