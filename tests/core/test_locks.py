"""lease_take: a rate limit across processes: true at most once per ttl, free again once it expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from orderguard.core import locks
from orderguard.core.models import Lease

TTL = timedelta(seconds=60)
pytestmark = pytest.mark.django_db


def test_a_key_is_taken_once_per_ttl():
    assert locks.lease_take("check:1", ttl=TTL) is True
    assert locks.lease_take("check:1", ttl=TTL) is False
    assert locks.lease_take("check:2", ttl=TTL) is True  # another key is its own limit
    assert Lease.objects.count() == 2


def test_an_expired_key_can_be_taken_again():
    assert locks.lease_take("check:1", ttl=TTL) is True
    with time_machine.travel(timezone.now() + TTL + timedelta(seconds=1)):
        assert locks.lease_take("check:1", ttl=TTL) is True
        assert locks.lease_take("check:1", ttl=TTL) is False
