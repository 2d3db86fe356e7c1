"""Durable work: claim, lease, renewal, expiry and the sweep, on the webhook inbox's table."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from orderguard.core import durable
from orderguard.shops.models import WebhookDelivery

Status = durable.DurableWork.Status
LEASE = timedelta(seconds=60)


def _row(key: str = "event:1") -> WebhookDelivery:
    return WebhookDelivery.objects.create(dedupe_key=key, topic="orders/create", shop_domain="a.myshopify.com", payload={"x": 1})


def _claim(row: WebhookDelivery) -> durable.Claim | None:
    return durable.durable_claim(model=WebhookDelivery, pk=row.pk, lease=LEASE)


def _due() -> list[int]:
    return durable.durable_due(model=WebhookDelivery)


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_one_claim_wins_and_a_live_lease_cannot_be_taken(clock):
    row = _row()
    claim = _claim(row)
    assert claim is not None and claim.attempt == 1
    assert _claim(row) is None
    clock.shift(LEASE - timedelta(seconds=1))
    assert _claim(row) is None and _due() == []


@pytest.mark.django_db
def test_an_expired_lease_is_due_and_taken_over_and_the_old_holder_can_no_longer_finish(clock):
    row = _row()
    dead = _claim(row)
    clock.shift(LEASE)
    assert _due() == [row.pk]

    alive = _claim(row)
    assert alive is not None and alive.attempt == 2
    assert not durable.durable_renew(claim=dead, lease=LEASE)
    assert not durable.durable_complete(claim=dead, outcome="late")
    assert durable.durable_complete(claim=alive, outcome="ok", payload={})

    row.refresh_from_db()
    assert (row.status, row.outcome, row.attempts, row.payload) == (Status.DONE, "ok", 2, {})
    assert row.finished_at == timezone.now() and row.lease_expires_at is None
    assert _claim(row) is None and _due() == []


@pytest.mark.django_db
def test_renewal_keeps_a_long_task_from_being_taken_over(clock):
    row = _row()
    claim = _claim(row)
    for _ in range(5):  # five minutes of work, renewed every 40 s
        clock.shift(timedelta(seconds=40))
        assert durable.durable_renew(claim=claim, lease=LEASE)
        assert _due() == [] and _claim(row) is None
    clock.shift(LEASE)  # the heartbeat stopped (the worker died)
    assert _due() == [row.pk]


@pytest.mark.django_db
def test_a_new_row_is_left_to_its_enqueue_for_the_grace_then_swept(clock):
    row = _row()
    clock.shift(durable.GRACE - timedelta(seconds=1))
    assert _due() == []
    clock.shift(timedelta(seconds=1))
    assert _due() == [row.pk]


@pytest.mark.django_db
def test_a_failed_attempt_is_retried_until_out_of_attempts(clock):
    row = _row()
    for attempt in range(1, WebhookDelivery.max_attempts):
        claim = _claim(row)
        assert claim.attempt == attempt
        assert durable.durable_fail(claim=claim, outcome="error: RuntimeError")
        row.refresh_from_db()
        assert row.status == Status.PENDING and row.lease_owner == ""
        clock.shift(durable.GRACE)
        assert _due() == [row.pk]

    last = _claim(row)
    assert durable.durable_fail(claim=last, outcome="error: RuntimeError")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.outcome) == (Status.FAILED, WebhookDelivery.max_attempts, "error: RuntimeError")
    clock.shift(timedelta(days=1))
    assert _due() == [] and _claim(row) is None


@pytest.mark.django_db
def test_a_failure_can_ask_for_a_later_retry(clock):
    row = _row()
    durable.durable_fail(claim=_claim(row), outcome="error: throttled", retry_at=timezone.now() + timedelta(minutes=10))
    clock.shift(timedelta(minutes=10) + durable.GRACE - timedelta(seconds=1))
    assert _due() == []
    clock.shift(timedelta(seconds=1))
    assert _due() == [row.pk]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_while_the_block_runs_and_stops_after():
    row = _row()
    lease = timedelta(seconds=0.6)
    claim = durable.durable_claim(model=WebhookDelivery, pk=row.pk, lease=lease)
    with durable.durable_lease_kept(claim=claim, lease=lease):
        for _ in range(8):  # 1.6 s: more than two leases
            time.sleep(0.2)
            assert durable.durable_due(model=WebhookDelivery) == []
    time.sleep(0.8)
    assert durable.durable_due(model=WebhookDelivery) == [row.pk]


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_have_one_winner():
    row = _row()
    barrier = threading.Barrier(6)
    claims: list[durable.Claim | None] = []

    def claim() -> None:
        barrier.wait()
        try:
            claims.append(_claim(row))
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claims) == 6 and len([c for c in claims if c is not None]) == 1
