"""The remedies outbox: one row per merchant action on a social order (an apology email, a cancel on Meta
with a store link), created with its idempotency key in the request's transaction, before any call.

Two state machines sit on one row, on purpose apart:
- `status`, `attempts` and the lease come from DurableWork (orderguard.core.durable): whether a worker may
  pick the row up now. A worker killed mid-action loses its lease, and the sweeper hands the row on.
- `step` is how far the action got (the merchant sees it in the row and the drawer). An executor resumes
  from `step`, and every step is written before the next external call, so a retry never repeats a call
  that already took effect (a second cancel, a second draft order, a second email).
"""

from __future__ import annotations

from django.db import models

from orderguard.core.durable import DurableWork
from orderguard.orders.models import SocialOrder
from orderguard.shops.models import Shop


class RemediationAction(DurableWork):
    class Kind(models.TextChoices):
        APOLOGY_EMAIL = "apology_email", "Apology email"
        CANCEL_AND_LINK = "cancel_and_link", "Cancel and send a store link"

    class Step(models.TextChoices):
        QUEUED = "queued", "Queued"
        CHECKING = "checking", "Checking the order on Meta and in Shopify"
        CANCELLING = "cancelling", "Cancelling on Meta"
        AWAITING_MANUAL_CANCEL = "awaiting_manual_cancel", "Waiting for the merchant to cancel in Commerce Manager"
        LINKING = "linking", "Creating the store link"
        SENDING = "sending", "Sending the message"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped: nothing to do"
        FAILED = "failed", "Failed"

    # Buyer-facing or money-moving: the row is taken on by one worker at a time, a few times at most.
    max_attempts = 5

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(SocialOrder, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    step = models.CharField(max_length=24, choices=Step.choices, default=Step.QUEUED)
    # Created once with the action (from the form the merchant confirmed, so a double click is one action)
    # and sent with every write that takes one (Meta's cancellation), by every retry.
    idempotency_key = models.CharField(max_length=64, unique=True)
    # Who asked: the admin user's id from the ID token, or "operator" for the order_action command.
    actor = models.CharField(max_length=64, blank=True)
    # What the merchant confirmed (reason, restock, link kind, discount, subject, body, language...).
    params = models.JSONField(default=dict, blank=True)
    # What each step produced (cancel seen, draft order id and invoice URL, email sent at...): the record a
    # retry reads before it calls anything.
    result = models.JSONField(default=dict, blank=True)
    # The last thing the merchant should read about it, in their words; and a stable code when it failed.
    message = models.CharField(max_length=500, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "order", "created_at"], name="remedy_order_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for Meta order {self.order_id} ({self.step})"


Step = RemediationAction.Step

# Where an action may go from each step. A move that is not listed is refused (remediation.steps), so a
# late or repeated worker can never walk an action backwards, e.g. from DONE to SENDING.
STEP_TRANSITIONS: dict[str, frozenset[str]] = {
    Step.QUEUED: frozenset({Step.CHECKING, Step.SENDING, Step.STOPPED, Step.FAILED}),
    Step.CHECKING: frozenset({Step.CANCELLING, Step.AWAITING_MANUAL_CANCEL, Step.STOPPED, Step.FAILED}),
    Step.CANCELLING: frozenset({Step.LINKING, Step.AWAITING_MANUAL_CANCEL, Step.FAILED}),
    Step.AWAITING_MANUAL_CANCEL: frozenset({Step.LINKING, Step.STOPPED, Step.FAILED}),
    Step.LINKING: frozenset({Step.SENDING, Step.FAILED}),
    Step.SENDING: frozenset({Step.DONE, Step.FAILED}),
    Step.DONE: frozenset(),
    Step.STOPPED: frozenset(),
    Step.FAILED: frozenset(),
}
FINAL_STEPS = frozenset(step for step, moves in STEP_TRANSITIONS.items() if not moves)
