"""The lease renewer (orderguard.core.heartbeat): due renewals run, none after the block, a lost lease is
flagged, and a block costs no thread of its own."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from orderguard.core.heartbeat import renewing

EVERY = timedelta(seconds=0.05)


def test_renews_while_the_block_runs_and_never_after_it():
    calls: list[float] = []
    with renewing(every=EVERY, renew=lambda: calls.append(time.monotonic()) or True) as lost:
        time.sleep(0.32)
    after = len(calls)
    time.sleep(0.2)
    assert 3 <= after <= 7 and len(calls) == after and not lost.is_set()


def test_a_renewal_that_finds_the_lease_gone_sets_lost_and_stops_renewing():
    calls: list[int] = []
    with renewing(every=EVERY, renew=lambda: calls.append(1) and False) as lost:
        assert lost.wait(1)
        time.sleep(0.2)
    assert len(calls) == 1


def test_a_database_error_is_retried_at_the_next_beat():
    from django.db import OperationalError

    outcomes = iter([OperationalError("database is locked"), True, True, True, True, True, True, True])
    seen: list[object] = []

    def renew() -> bool:
        outcome = next(outcomes)
        seen.append(outcome)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with renewing(every=EVERY, renew=renew) as lost:
        time.sleep(0.2)
    assert len(seen) >= 2 and seen[1] is True and not lost.is_set()


def test_a_hundred_concurrent_blocks_share_one_renewal_thread():
    before = threading.active_count()
    renewed: dict[int, int] = {n: 0 for n in range(100)}
    release = threading.Event()

    def hold(n: int) -> None:
        def renew() -> bool:
            renewed[n] += 1
            return True

        with renewing(every=EVERY, renew=renew):
            release.wait(2)

    holders = [threading.Thread(target=hold, args=(n,)) for n in range(100)]
    for holder in holders:
        holder.start()
    time.sleep(0.3)
    threads_while_held = threading.active_count() - before - len(holders)
    release.set()
    for holder in holders:
        holder.join()
    assert threads_while_held <= 1  # the renewer, started on first use; no thread per block
    assert all(count >= 2 for count in renewed.values())
