"""Moving an action from one step to the next: checked against STEP_TRANSITIONS and written at once, so
what a step achieved is on record before the next external call."""

from __future__ import annotations

from orderguard.remediation.models import STEP_TRANSITIONS, RemediationAction


class StepRefused(Exception):
    """A move the transitions table does not allow (a stale worker, a repeated click)."""


def action_step_move(*, action: RemediationAction, to: str, message: str = "", result: dict | None = None, error_code: str = "") -> None:
    if to != action.step and to not in STEP_TRANSITIONS[action.step]:
        raise StepRefused(f"{action.kind} {action.pk}: {action.step} -> {to} is not allowed")
    action.step = to
    if result:
        action.result = {**action.result, **result}
    if message:
        action.message = message[:500]
    if error_code:
        action.error_code = error_code[:40]
    action.save(update_fields=["step", "result", "message", "error_code", "updated_at"])
