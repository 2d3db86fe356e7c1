"""Single-flight: at most one holder of a named lease at a time, across processes and machines."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from orderguard.core.heartbeat import renewing
from orderguard.core.models import Lease


@contextmanager
def single_flight(key: str, *, ttl: timedelta) -> Iterator[bool]:
    """Yield True if this caller holds `key`, False if another holder has it.

    While the block runs, the lease is renewed every ttl/3, so a long but alive holder keeps it and the
    ttl can be short: a holder that dies (a killed worker) frees the key within one ttl.
    """
    owner = secrets.token_hex(16)
    acquired = _acquire(key=key, owner=owner, ttl=ttl)
    if not acquired:
        yield False
        return
    try:
        with renewing(every=ttl / 3, renew=lambda: _renew(key=key, owner=owner, ttl=ttl)):
            yield True
    finally:
        Lease.objects.filter(key=key, owner=owner).delete()


def _acquire(*, key: str, owner: str, ttl: timedelta) -> bool:
    now = timezone.now()
    # Take over an expired lease: the conditional update is atomic, so only one caller wins it.
    if Lease.objects.filter(key=key, expires_at__lte=now).update(owner=owner, expires_at=now + ttl):
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(key=key, owner=owner, expires_at=now + ttl)
    except IntegrityError:
        return False
    return True


def _renew(*, key: str, owner: str, ttl: timedelta) -> bool:
    return bool(Lease.objects.filter(key=key, owner=owner).update(expires_at=timezone.now() + ttl))


def lease_take(key: str, *, ttl: timedelta) -> bool:
    """Take `key` for `ttl` and never release it: True at most once per ttl (a rate limit)."""
    return _acquire(key=key, owner=secrets.token_hex(16), ttl=ttl)
