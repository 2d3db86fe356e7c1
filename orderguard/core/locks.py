"""Single-flight: at most one holder of a named lease at a time, across processes and machines."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from orderguard.core.models import Lease


@contextmanager
def single_flight(key: str, *, ttl: timedelta) -> Iterator[bool]:
    """Yield True if this caller holds `key`, False if another holder has it.

    The lease expires after `ttl` so a crashed holder cannot block the key forever; choose a ttl longer
    than the work it guards (a task's hard time limit).
    """
    owner = secrets.token_hex(16)
    acquired = _acquire(key=key, owner=owner, ttl=ttl)
    try:
        yield acquired
    finally:
        if acquired:
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
