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
from functools import cache

from django.db.models import F
from django.utils import timezone

from orderguard.core import sql
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
    # The shop's PollState as the statement that took the lease read it.
    state: PollState | None = None

    def _rows(self):
        return PollState.objects.filter(shop_id=self.shop_id, lease_owner=self.owner)


@contextmanager
def poll_lease_held(*, shop: Shop) -> Iterator[PollLease | None]:
    """Yield the shop's poll lease, or None while another poll holds it. Released on exit (if the
    outcome write has not released it already)."""
    lease = PollLease(shop_id=shop.pk, owner=secrets.token_hex(16))
    lease.state = _take(lease=lease, shop=shop)
    if lease.state is None:
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
    outcome = {name: getattr(state, name) for name in OUTCOME_FIELDS} | {"lease_owner": "", "lease_expires_at": None}
    held = {"shop": lease.shop_id, "lease_owner": lease.owner}
    lease.released = bool(sql.execute(_save_sql(), [*sql.adapted(PollState, outcome), *sql.adapted(PollState, held)]))
    return lease.released


def poll_skip_record(*, shop: Shop, reason: str, now: datetime, lease: PollLease | None = None) -> None:
    """Count a poll that did not run and keep why (shown with the poll state); releases `lease` if given."""
    skip = {"skipped_polls": F("skipped_polls") + 1, "last_skipped_at": now, "last_skip_reason": reason[:255]}
    if lease is None:
        PollState.objects.filter(shop=shop).update(**skip)
        return
    lease.released = bool(lease._rows().update(**skip, lease_owner="", lease_expires_at=None))


def _take(*, lease: PollLease, shop: Shop) -> PollState | None:
    """Take the lease if it is free, reading the state in the same statement; None while it is held."""
    now = timezone.now()
    state = _take_returning(lease=lease, now=now)
    if state is not None:
        return state
    # No row yet (a poll on demand of a shop never dispatched): create it due now, then take it.
    _, created = PollState.objects.get_or_create(shop=shop, defaults={"next_poll_at": now})
    return _take_returning(lease=lease, now=now) if created else None


def _take_returning(*, lease: PollLease, now: datetime) -> PollState | None:
    take = {"lease_owner": lease.owner, "lease_expires_at": now + LOCK_TTL}
    where = {"shop": lease.shop_id, "lease_expires_at": now}
    taken = sql.fetch(PollState, _take_sql(), [*sql.adapted(PollState, take), *sql.adapted(PollState, where)])
    return taken[0] if taken else None


# The two statements every poll runs, written out once per process (orderguard.core.sql says why).
@cache
def _take_sql() -> str:
    return (f"UPDATE {sql.table(PollState)} SET {sql.assignments(PollState, ('lease_owner', 'lease_expires_at'))}"
            f" WHERE shop_id = %s AND (lease_expires_at IS NULL OR lease_expires_at <= %s) RETURNING {sql.columns(PollState)}")


@cache
def _save_sql() -> str:
    return (f"UPDATE {sql.table(PollState)} SET {sql.assignments(PollState, (*OUTCOME_FIELDS, 'lease_owner', 'lease_expires_at'))}"
            " WHERE shop_id = %s AND lease_owner = %s")
