"""The remedies outbox: steps only move forward, a claimed action runs once, retryable failures back off
and an action that keeps failing ends FAILED with a message (never stuck half-way)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orderguard.core.durable import DurableWork
from orderguard.core.exceptions import PlatformUnavailable
from orderguard.remediation import executors
from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_reopen, remediation_action_run
from orderguard.remediation.steps import StepRefused, action_step_move
from tests.factories import make_shop, make_social_order

pytestmark = pytest.mark.django_db

Step = RemediationAction.Step
TEST_KIND = "test_kind"


@pytest.fixture
def action():
    shop = make_shop(domain="outbox-shop.myshopify.com", name="Outbox")
    order = make_social_order(shop=shop, meta_order_id="5000000000000001", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=3))
    return RemediationAction.objects.create(shop=shop, order=order, kind=TEST_KIND, idempotency_key="key-1")


@pytest.fixture
def run_log(monkeypatch):
    """A stand-in kind whose executor records each call and does what the test says."""
    calls = []
    behaviour = {"raise": None}

    def execute(action):
        calls.append(action.step)
        if behaviour["raise"]:
            raise behaviour["raise"]
        action_step_move(action=action, to=Step.SENDING)
        action_step_move(action=action, to=Step.DONE, message="sent")

    monkeypatch.setitem(executors.EXECUTORS, TEST_KIND, execute)
    return calls, behaviour


def test_steps_never_move_backwards(action):
    action_step_move(action=action, to=Step.SENDING)
    action_step_move(action=action, to=Step.DONE)
    with pytest.raises(StepRefused):
        action_step_move(action=action, to=Step.SENDING)
    action.refresh_from_db()
    assert action.step == Step.DONE


def test_an_action_runs_once_however_often_it_is_run(action, run_log):
    calls, _ = run_log
    remediation_action_run(action_id=action.pk)
    remediation_action_run(action_id=action.pk)

    action.refresh_from_db()
    assert calls == [Step.QUEUED]
    assert (action.status, action.step, action.message) == (DurableWork.Status.DONE, Step.DONE, "sent")


def test_a_retryable_failure_waits_and_a_persistent_one_ends_failed(action, run_log):
    calls, behaviour = run_log
    behaviour["raise"] = PlatformUnavailable("Meta is down", code="meta_unavailable")

    remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    assert action.status == DurableWork.Status.PENDING and action.step == Step.QUEUED
    assert action.available_at >= timezone.now() + timedelta(seconds=25)  # backs off before the next try

    for _ in range(RemediationAction.max_attempts - 1):
        RemediationAction.objects.filter(pk=action.pk).update(available_at=action.created_at)
        remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    assert len(calls) == RemediationAction.max_attempts
    assert (action.status, action.step, action.error_code) == (DurableWork.Status.FAILED, Step.FAILED, "meta_unavailable")
    assert "could not finish" in action.message


def test_a_finished_action_can_be_reopened_once(action, run_log, django_capture_on_commit_callbacks):
    remediation_action_run(action_id=action.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        assert remediation_action_reopen(action=action) is True
        assert remediation_action_reopen(action=action) is False
    assert len(callbacks) == 1
    action.refresh_from_db()
    assert (action.status, action.attempts) == (DurableWork.Status.PENDING, 0)
