"""Running remedies: claim an action (core durable work), let its kind's executor carry it on from its
step while the lease is renewed, and record how it ended."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderguard.core.durable import durable_claim, durable_complete, durable_due, durable_fail, durable_lease_kept, durable_reopen
from orderguard.core.exceptions import ApplicationError
from orderguard.remediation.executors import EXECUTORS
from orderguard.remediation.models import FINAL_STEPS, RemediationAction
from orderguard.remediation.steps import action_step_move
from orderguard.remediation.tasks import run_remediation_action_task

logger = logging.getLogger(__name__)

# A retryable failure waits a little longer each time (30 s, 1 min, 2 min, 4 min).
RETRY_BASE = timedelta(seconds=30)


def remediation_action_enqueue(*, action: RemediationAction) -> None:
    """Hand the action to a worker once the transaction that created or re-opened it commits."""
    action_id = action.pk
    transaction.on_commit(lambda: run_remediation_action_task.delay(action_id=action_id))


def remediation_action_run(*, action_id: int) -> None:
    """Carry an action on from its step. Safe to call twice and concurrently: one caller holds the claim,
    the other returns at once."""
    claim = durable_claim(model=RemediationAction, pk=action_id)
    if claim is None:
        return
    action = RemediationAction.objects.select_related("order", "shop").get(pk=action_id)
    try:
        with durable_lease_kept(claim=claim):
            EXECUTORS[action.kind](action)
    except Exception as error:  # noqa: BLE001  an executor ends its expected failures itself; the rest retry
        code = error.code if isinstance(error, ApplicationError) else type(error).__name__
        logger.warning("Remedy %s (%s) failed on attempt %s: %s", action.pk, action.kind, claim.attempt, code, exc_info=not isinstance(error, ApplicationError))
        if claim.attempt >= RemediationAction.max_attempts:
            _give_up(action=action, code=code)
        durable_fail(claim=claim, outcome=code, retry_at=timezone.now() + RETRY_BASE * 2 ** (claim.attempt - 1))
        return
    action.refresh_from_db(fields=["step"])
    durable_complete(claim=claim, outcome=action.step if action.step in FINAL_STEPS else f"waiting: {action.step}")


def remediation_action_reopen(*, action: RemediationAction) -> bool:
    """Make a finished or waiting action runnable again (after the merchant confirmed a manual step).
    False when it is running or already reopened."""
    if not durable_reopen(model=RemediationAction, pk=action.pk):
        return False
    remediation_action_enqueue(action=action)
    return True


def _give_up(*, action: RemediationAction, code: str) -> None:
    action.refresh_from_db(fields=["step"])
    if action.step not in FINAL_STEPS:
        action_step_move(
            action=action, to=RemediationAction.Step.FAILED, error_code=code,
            message=_("OrderGuard could not finish this action after several tries. Nothing more will be sent; check the order in Commerce Manager."),
        )


def remediation_actions_due() -> list[int]:
    """Actions whose enqueue was lost or whose worker died: the sweeper runs them again."""
    return durable_due(model=RemediationAction)
