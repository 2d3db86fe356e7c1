"""single_flight: one holder at a time, renewed while it runs, freed within one ttl if the holder dies."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from orderguard.core import locks
from orderguard.core.models import Lease

TTL = timedelta(seconds=60)


@pytest.mark.django_db
def test_a_second_caller_waits_its_turn_and_the_key_is_free_after_the_block():
    with locks.single_flight("k", ttl=TTL) as first:
        with locks.single_flight("k", ttl=TTL) as second:
            assert (first, second) == (True, False)
        assert Lease.objects.filter(key="k").exists()  # the loser does not free the winner's key
    assert not Lease.objects.exists()
    with locks.single_flight("k", ttl=TTL) as again:
        assert again


@pytest.mark.django_db
def test_a_dead_holder_frees_the_key_within_one_ttl():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert locks._acquire(key="k", owner="dead", ttl=TTL)  # a holder killed before its block ended
        clock.shift(TTL - timedelta(seconds=1))
        with locks.single_flight("k", ttl=TTL) as acquired:
            assert not acquired
        clock.shift(timedelta(seconds=1))
        with locks.single_flight("k", ttl=TTL) as acquired:
            assert acquired


@pytest.mark.django_db(transaction=True)
def test_a_live_holder_keeps_the_key_past_its_ttl():
    ttl = timedelta(seconds=0.6)
    with locks.single_flight("k", ttl=ttl) as held:
        assert held
        for _ in range(8):  # 1.6 s: more than two ttls
            time.sleep(0.2)
            with locks.single_flight("k", ttl=ttl) as other:
                assert not other
    assert not Lease.objects.exists()
