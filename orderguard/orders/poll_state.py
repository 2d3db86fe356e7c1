"""The poll's hold on its shop's PollState row: the single-flight lease, the skip record, the outcome write.

The lease is two columns of the shop's PollState, so taking it is one conditional update and recording a
poll's outcome releases it in the same statement. It is short (LOCK_TTL) and renewed every third of its
length while the poll runs: a live poll keeps the shop however long it takes, a killed worker frees it
within LOCK_TTL (issue 8: the shop is polled again within one interval plus a minute). Only the lease's
holder writes an outcome; the dispatcher's columns (next_poll_at, dispatched_at) are never written here.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from orderguard.core.heartbeat import renewing
from orderguard.orders.models import PollState
from orderguard.shops.models import Shop

LOCK_TTL = timedelta(seconds=60)
# Written by the dispatcher (the schedule), by the lease or by a skip, never by a poll's outcome.
NOT_OUTCOME = {"id", "shop", "created_at", "next_poll_at", "dispatched_at", "lease_owner", "lease_expires_at", "skipped_polls",
               "last_skipped_at", "last_skip_reason"}
OUTCOME_FIELDS = tuple(f.name for f in PollState._meta.concrete_fields if f.name not in NOT_OUTCOME)


@dataclass
class PollLease:
    shop_id: int
    owner: str
    released: bool = False

    def _rows(self):
        return PollState.objects.filter(shop_id=self.shop_id, lease_owner=self.owner)


@contextmanager
def poll_lease_held(*, shop: Shop) -> Iterator[PollLease | None]:
    """Yield the shop's poll lease, or None while another poll holds it. Released on exit (if the
    outcome write has not released it already)."""
    lease = PollLease(shop_id=shop.pk, owner=secrets.token_hex(16))
    if not _take(lease=lease, shop=shop):
        yield None
        return
    try:
        with renewing(every=LOCK_TTL / 3, renew=lambda: bool(lease._rows().update(lease_expires_at=timezone.now() + LOCK_TTL))):
            yield lease
    finally:
        if not lease.released:
            lease._rows().update(lease_owner="", lease_expires_at=None)


def poll_state_save(*, state: PollState, lease: PollLease) -> bool:
    """Write the poll's outcome (every field a poll sets) and release the lease, in one statement.
    False if the lease was lost meanwhile (expired and taken by another poll): that poll records instead."""
    lease.released = bool(lease._rows().update(
        **{name: getattr(state, name) for name in OUTCOME_FIELDS}, lease_owner="", lease_expires_at=None
    ))
    return lease.released


def poll_skip_record(*, shop: Shop, reason: str, now: datetime, lease: PollLease | None = None) -> None:
    """Count a poll that did not run and keep why (shown with the poll state); releases `lease` if given."""
    skip = {"skipped_polls": F("skipped_polls") + 1, "last_skipped_at": now, "last_skip_reason": reason[:255]}
    if lease is None:
        PollState.objects.filter(shop=shop).update(**skip)
        return
    lease.released = bool(lease._rows().update(**skip, lease_owner="", lease_expires_at=None))


def _take(*, lease: PollLease, shop: Shop) -> bool:
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    take = {"lease_owner": lease.owner, "lease_expires_at": now + LOCK_TTL}
    if PollState.objects.filter(free, shop=shop).update(**take):
        return True
    # No row yet (a poll on demand of a shop never dispatched): create it due now, then take it.
    _, created = PollState.objects.get_or_create(shop=shop, defaults={"next_poll_at": now})
    return created and bool(PollState.objects.filter(free, shop=shop).update(**take))
