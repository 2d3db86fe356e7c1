"""Durable work: rows that are the record of work to do, claimed by one worker at a time under a lease.

A model inherits DurableWork; a task claims a row (a conditional update, so exactly one claimer wins),
runs it while a heartbeat renews the short lease, then completes or fails it. A worker that dies
stops renewing; once the lease expires, durable_due() returns the row and a sweeper re-enqueues it. Rows
whose enqueue was lost (broker down at commit) are due once their grace has passed.

Used by the webhook inbox (shops.WebhookDelivery); the remedies outbox and alert deliveries reuse it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from orderguard.core.heartbeat import renewing

# Give the on-commit enqueue a head start before the sweeper steps in.
GRACE = timedelta(minutes=1)


def default_lease() -> timedelta:
    """Short, because the heartbeat renews it every third of its length while the worker is alive."""
    return timedelta(seconds=settings.DURABLE_LEASE_SECONDS)


class DurableWork(models.Model):
    """Status, attempts and lease of one unit of durable work."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # Attempts after which a failing row stops being retried and is marked FAILED.
    max_attempts: ClassVar[int] = 5

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a PENDING row may run: now on creation (plus the sweeper's grace), later for a backoff.
    available_at = models.DateTimeField(default=timezone.now)
    lease_owner = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Claim:
    """A held lease on one row: only its owner may renew, complete or fail it."""

    model: type[DurableWork]
    pk: int
    owner: str
    attempt: int

    def _rows(self):
        return self.model.objects.filter(pk=self.pk, status=DurableWork.Status.RUNNING, lease_owner=self.owner)


def durable_claim(*, model: type[DurableWork], pk: int, lease: timedelta | None = None, now: datetime | None = None) -> Claim | None:
    """Claim a pending row, or a running one whose lease expired. None if it is done, failed, held by a
    live worker, or out of attempts. Safe to call concurrently: one caller wins."""
    now = now or timezone.now()
    lease = lease or default_lease()
    owner = secrets.token_hex(16)
    claimable = model.objects.filter(pk=pk, attempts__lt=model.max_attempts).filter(
        Q(status=DurableWork.Status.PENDING) | Q(status=DurableWork.Status.RUNNING, lease_expires_at__lte=now)
    )
    if not claimable.update(
        status=DurableWork.Status.RUNNING, lease_owner=owner, lease_expires_at=now + lease, attempts=F("attempts") + 1
    ):
        return None
    attempt = model.objects.filter(pk=pk).values_list("attempts", flat=True).get()
    return Claim(model=model, pk=pk, owner=owner, attempt=attempt)


def durable_renew(*, claim: Claim, lease: timedelta | None = None) -> bool:
    """Push the lease's expiry out. False if the lease was lost (expired and taken over)."""
    return bool(claim._rows().update(lease_expires_at=timezone.now() + (lease or default_lease())))


@contextmanager
def durable_lease_kept(*, claim: Claim, lease: timedelta | None = None) -> Iterator[None]:
    """Renew the claim's lease every third of its length while the block runs."""
    lease = lease or default_lease()
    with renewing(every=lease / 3, renew=lambda: durable_renew(claim=claim, lease=lease)):
        yield


def durable_complete(*, claim: Claim, outcome: str, **fields) -> bool:
    """Mark the work done (with `fields` to update on the row too). False if the lease was lost."""
    return bool(claim._rows().update(
        status=DurableWork.Status.DONE, outcome=outcome[:255], finished_at=timezone.now(), lease_owner="",
        lease_expires_at=None, **fields,
    ))


def durable_fail(*, claim: Claim, outcome: str, retry_at: datetime | None = None) -> bool:
    """Record a failed attempt: PENDING again (due at `retry_at`, default now), or FAILED once out of
    attempts. False if the lease was lost."""
    failed = claim.attempt >= claim.model.max_attempts
    return bool(claim._rows().update(
        status=DurableWork.Status.FAILED if failed else DurableWork.Status.PENDING,
        outcome=outcome[:255], available_at=retry_at or timezone.now(), lease_owner="", lease_expires_at=None,
        finished_at=timezone.now() if failed else None,
    ))


def durable_reopen(*, model: type[DurableWork], pk: int) -> bool:
    """Make done (or failed) work pending again with fresh attempts, e.g. after a person confirmed a step
    the work was waiting for. A running row is left alone. One caller wins."""
    reopened = model.objects.filter(pk=pk, status__in=[DurableWork.Status.DONE, DurableWork.Status.FAILED]).update(
        status=DurableWork.Status.PENDING, attempts=0, available_at=timezone.now(), finished_at=None, outcome=""
    )
    return bool(reopened)


def durable_due(*, model: type[DurableWork], now: datetime | None = None, grace: timedelta = GRACE, limit: int = 500) -> list[int]:
    """Rows a sweeper should enqueue: pending past their grace, or running under an expired lease."""
    now = now or timezone.now()
    due = Q(status=DurableWork.Status.PENDING, available_at__lte=now - grace) | Q(
        status=DurableWork.Status.RUNNING, lease_expires_at__lte=now
    )
    return list(model.objects.filter(due, attempts__lt=model.max_attempts).order_by("pk").values_list("pk", flat=True)[:limit])
