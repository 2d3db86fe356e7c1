"""When a shop is polled: the interval, the windows a poll reads, the dispatcher and the stale watch.

A shop is due when its next_poll_at has passed, when it has no PollState yet (just connected), or when its
Meta connection was (re)connected after its last poll attempt and after its last dispatch. Dueness is read
from state, so connecting a shop needs to know nothing about polling.

Polls land on their interval: a claim moves next_poll_at on from the due time (not from when the dispatch
or the poll ran) by whole intervals past now, and the poll never moves it. The dispatcher claims due shops
in batches, a constant number of statements per batch, until none is due: the shop count is bounded by
the workers' capacity only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
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
# Due shops claimed per statement: one transaction each, short enough to keep row locks brief.
CLAIM_BATCH = 500
# A transient Meta failure waits 1, 2, 4 … intervals before the next poll, at most this many.
MAX_BACKOFF_INTERVALS = 12


def poll_interval() -> timedelta:
    return timedelta(minutes=settings.POLL_INTERVAL_MINUTES)


def poll_schedule_now(*, shop: Shop) -> PollState:
    """Make the shop due for a poll at the next dispatch (on demand)."""
    state, _ = PollState.objects.update_or_create(shop=shop, defaults={"next_poll_at": timezone.now()})
    return state


def poll_next_due(*, due: datetime, now: datetime) -> datetime:
    """The next due time after a claim at `now` of a shop due at `due`: whole intervals on from the due
    time, past now, so a shop keeps its phase and one far behind skips the polls it missed. A shop made due
    early (a reconnect) starts a new phase now."""
    interval = poll_interval()
    if due > now:
        return now + interval
    return due + interval * ((now - due) // interval + 1)


def poll_next_after_failure(*, state: PollState, now: datetime) -> None:
    """Back off after a transient failure: the next poll no sooner than 1, 2, 4 … intervals from now."""
    backoff = poll_interval() * min(2 ** (state.consecutive_failures - 1), MAX_BACKOFF_INTERVALS)
    PollState.objects.filter(pk=state.pk, next_poll_at__lt=now + backoff).update(next_poll_at=now + backoff)


def polls_dispatch_due(*, now: datetime | None = None, batch: int = CLAIM_BATCH) -> list[int]:
    """Claim every shop due a poll now and return their ids (see polls_claim_batches)."""
    return [shop_id for claimed in polls_claim_batches(now=now, batch=batch) for shop_id in claimed]


def polls_claim_batches(*, now: datetime | None = None, batch: int = CLAIM_BATCH) -> Iterator[list[int]]:
    """Claim the shops due a poll, `batch` at a time, until none is due; yield each batch's shop ids (the
    caller enqueues them while the next batch is claimed).

    Each batch is one transaction: the due rows locked with SKIP LOCKED (SQLite: the IMMEDIATE transaction
    holds the write lock) and moved on in one update, so dispatchers running at once never claim a shop
    twice. Shops connected but never scheduled get their PollState first, due now.
    """
    now = now or timezone.now()
    _schedule_first_polls(now=now, batch=batch)
    while True:
        claimed = _claim_batch(now=now, size=batch)
        if claimed:
            yield claimed
        if len(claimed) < batch:
            return


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


def _due_states(now: datetime) -> QuerySet[PollState]:
    reconnected = (Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=F("connected_at"))) & (
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=F("connected_at"))
    )
    return _pollable_states(now).filter(Q(next_poll_at__lte=now) | reconnected)


def _schedule_first_polls(*, now: datetime, batch: int) -> None:
    """Give shops connected but never scheduled their PollState, due now (a batch per statement)."""
    unscheduled = _pollable_connections(now).filter(~Exists(PollState.objects.filter(shop=OuterRef("shop"))))
    while shop_ids := list(unscheduled.order_by("connected_at").values_list("shop_id", flat=True)[:batch]):
        # A concurrent dispatcher (or a poll on demand) may create some first: theirs stand.
        PollState.objects.bulk_create([PollState(shop_id=shop_id, next_poll_at=now) for shop_id in shop_ids], ignore_conflicts=True)
        if len(shop_ids) < batch:
            return


def _claim_batch(*, now: datetime, size: int) -> list[int]:
    with transaction.atomic():
        due = _due_states(now).order_by("next_poll_at").select_for_update(skip_locked=True)
        rows = list(due.values_list("pk", "shop_id", "next_poll_at")[:size])
        PollState.objects.bulk_update(
            [PollState(pk=pk, next_poll_at=poll_next_due(due=due_at, now=now), dispatched_at=now) for pk, _, due_at in rows],
            ["next_poll_at", "dispatched_at"],
        )
    return [shop_id for _, shop_id, _ in rows]
