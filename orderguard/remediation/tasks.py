"""Celery entry points for remedies (queue `actions`): thin, they take ids and call the service."""

from __future__ import annotations

from orderguard.core.tasks import orderguard_task


@orderguard_task(name="orderguard.remediation.run_action", queue="actions", acks_late=True)
def run_remediation_action_task(*, action_id: int) -> None:
    from orderguard.remediation.services import remediation_action_run

    remediation_action_run(action_id=action_id)


@orderguard_task(name="orderguard.remediation.sweep_actions", queue="actions")
def sweep_remediation_actions_task() -> None:
    from orderguard.remediation.services import remediation_actions_due

    for action_id in remediation_actions_due():
        run_remediation_action_task.delay(action_id=action_id)
