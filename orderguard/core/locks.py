"""Named leases in the database, across processes and machines: a rate limit that holds on SQLite and
PostgreSQL alike (the poll's own lease lives on its PollState: orderguard/orders/poll_state.py)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from orderguard.core.models import Lease


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


def lease_take(key: str, *, ttl: timedelta) -> bool:
    """Take `key` for `ttl` and never release it: True at most once per ttl (a rate limit)."""
    return _acquire(key=key, owner=secrets.token_hex(16), ttl=ttl)
