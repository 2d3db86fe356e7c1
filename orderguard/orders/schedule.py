"""When a shop is polled: the interval, the windows a poll reads, the dispatcher and the stale watch.

A shop is due when its next_poll_at has passed, when it has no PollState yet (just connected), or when its
Meta connection was (re)connected after its last poll attempt and after its last dispatch. Dueness is read
from state, so connecting a shop needs to know nothing about polling.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState
from orderguard.shops.models import Shop

logger = logging.getLogger(__name__)

# Meta's updated_after is on status changes, and Shopify's updated_at query can miss an order updated
# while the previous read ran: each read asks again for the last 10 minutes.
OVERLAP = timedelta(minutes=10)
# What a full sweep (and the first look at Shopify) reads: Meta's 30-day order window, with a margin
# (Shopify keeps 60 days visible without read_all_orders).
ORDER_WINDOW = timedelta(days=35)
# A full sweep re-reads the whole window, in case an incremental poll ever missed a change.
FULL_SWEEP_EVERY = timedelta(hours=6)
# Without a Meta change, look at Shopify again this often for orders still unmatched (webhooks usually
# bring a new Shopify order sooner).
SHOPIFY_RECHECK = timedelta(minutes=30)
CHANNELS_RECHECK = timedelta(hours=24)
APPS_RECHECK = timedelta(hours=24)


def poll_interval() -> timedelta:
    return timedelta(minutes=settings.POLL_INTERVAL_MINUTES)


def poll_schedule_now(*, shop: Shop) -> PollState:
    """Make the shop due for a poll at the next dispatch (on demand)."""
    state, _ = PollState.objects.update_or_create(shop=shop, defaults={"next_poll_at": timezone.now()})
    return state


def polls_dispatch_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Claim the shops due a poll (moving their next_poll_at on) and return their ids.

    Each claim is conditional (an insert under the one-row-per-shop constraint, or an update of the values
    just read), so two dispatchers running at once never claim the same shop.
    """
    now = now or timezone.now()
    claimed = _claim_first_polls(now=now, limit=limit)
    return claimed + _claim_due_states(now=now, limit=limit - len(claimed))


def pollers_flag_stale(*, now: datetime | None = None) -> list[str]:
    """Flag shops whose last successful poll is older than three intervals (a poller that silently
    stopped hid orders for weeks in other integrations). Returns the newly flagged shop domains."""
    now = now or timezone.now()
    threshold = now - 3 * poll_interval()
    stale = _pollable_states(now).filter(Q(last_success_at__lt=threshold) | Q(last_success_at__isnull=True, created_at__lt=threshold))
    newly = list(stale.filter(stale_since__isnull=True).values_list("shop__domain", flat=True))
    stale.filter(stale_since__isnull=True).update(stale_since=now)
    PollState.objects.filter(stale_since__isnull=False, last_success_at__gte=threshold).update(stale_since=None)
    for domain in newly:
        logger.warning("No successful poll of %s for more than %s", domain, 3 * poll_interval())
    return newly


def _pollable_connections(now: datetime) -> QuerySet[MetaConnection]:
    """Connections a poll may use now: connected, not throttled, of an installed shop."""
    return MetaConnection.objects.filter(status=MetaConnection.Status.CONNECTED, shop__status=Shop.Status.ACTIVE).filter(
        Q(throttled_until__isnull=True) | Q(throttled_until__lte=now)
    )


def _pollable_states(now: datetime) -> QuerySet[PollState]:
    connection = _pollable_connections(now).filter(shop=OuterRef("shop"))
    return PollState.objects.filter(Exists(connection)).annotate(connected_at=Subquery(connection.values("connected_at")[:1]))


def _claim_first_polls(*, now: datetime, limit: int) -> list[int]:
    """Shops connected but never scheduled: creating their PollState is the claim."""
    if limit <= 0:
        return []
    unscheduled = _pollable_connections(now).filter(~Exists(PollState.objects.filter(shop=OuterRef("shop"))))
    claimed = []
    for shop_id in unscheduled.order_by("connected_at").values_list("shop_id", flat=True)[:limit]:
        try:
            with transaction.atomic():
                PollState.objects.create(shop_id=shop_id, next_poll_at=now + poll_interval(), dispatched_at=now)
        except IntegrityError:
            continue  # another dispatcher (or a poll on demand) created it first
        claimed.append(shop_id)
    return claimed


def _claim_due_states(*, now: datetime, limit: int) -> list[int]:
    if limit <= 0:
        return []
    reconnected = (Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=F("connected_at"))) & (
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=F("connected_at"))
    )
    due = _pollable_states(now).filter(Q(next_poll_at__lte=now) | reconnected).order_by("next_poll_at")
    claimed = []
    for pk, shop_id, next_poll_at, dispatched_at in due.values_list("pk", "shop_id", "next_poll_at", "dispatched_at")[:limit]:
        claim = PollState.objects.filter(pk=pk, next_poll_at=next_poll_at, dispatched_at=dispatched_at)
        if claim.update(next_poll_at=now + poll_interval(), dispatched_at=now):
            claimed.append(shop_id)
    return claimed
