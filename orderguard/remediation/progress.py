"""Reads of "cancel and send a store link" actions for the row and the drawer, scoped by shop."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from orderguard.orders.models import SocialOrder
from orderguard.remediation.cancel_and_link import commerce_manager_order_url
from orderguard.remediation.models import FINAL_STEPS, RemediationAction

Kind, Step = RemediationAction.Kind, RemediationAction.Step
# The steps the merchant sees as a progress line, in order.
PROGRESS_STEPS = (Step.CHECKING, Step.CANCELLING, Step.LINKING, Step.SENDING, Step.DONE)


@dataclass(frozen=True)
class CancelProgress:
    action: RemediationAction
    order: SocialOrder
    commerce_manager_url: str

    @property
    def final(self) -> bool:
        return self.action.step in FINAL_STEPS

    @property
    def awaiting_manual(self) -> bool:
        return self.action.step == Step.AWAITING_MANUAL_CANCEL

    @property
    def manual_confirmed(self) -> bool:
        return bool(self.action.result.get("manual_cancel_confirmed_at"))

    @property
    def meta_confirms_cancel(self) -> bool:
        """The poll has seen the order cancelled on Meta (after a manual cancel, the proof it happened)."""
        return self.order.meta_cancelled

    @property
    def meta_cancelled_at(self) -> datetime | None:
        return _time(self.action.result.get("meta_cancelled_at"))

    @property
    def manual_confirmed_at(self) -> datetime | None:
        return _time(self.action.result.get("manual_cancel_confirmed_at"))

    @property
    def invoice_sent_at(self) -> datetime | None:
        return _time(self.action.result.get("invoice_sent_at"))

    @property
    def steps(self) -> list[tuple[str, str]]:
        """(step, "done" | "current" | "todo") for the progress line."""
        step = Step.LINKING if self.awaiting_manual else self.action.step
        if step == Step.QUEUED:
            return [(s, "todo") for s in PROGRESS_STEPS]
        if step in (Step.STOPPED, Step.FAILED):
            return []
        index = PROGRESS_STEPS.index(step) if step in PROGRESS_STEPS else 0
        return [(s, "done" if i < index or step == Step.DONE else "current" if i == index else "todo") for i, s in enumerate(PROGRESS_STEPS)]


def cancel_action_latest(*, shop, order_id: int) -> RemediationAction | None:
    return RemediationAction.objects.filter(shop=shop, order_id=order_id, kind=Kind.CANCEL_AND_LINK).order_by("-created_at", "-pk").first()


def cancel_progress(*, shop, order: SocialOrder) -> CancelProgress | None:
    action = cancel_action_latest(shop=shop, order_id=order.pk)
    return CancelProgress(action=action, order=order, commerce_manager_url=commerce_manager_order_url(order)) if action else None


def cancel_actions_by_order(*, shop, order_ids: Iterable[int]) -> dict[int, RemediationAction]:
    """The latest cancel action of each of these orders (one query): what the list rows show."""
    latest: dict[int, RemediationAction] = {}
    rows = RemediationAction.objects.filter(shop=shop, kind=Kind.CANCEL_AND_LINK, order_id__in=list(order_ids)).order_by("created_at", "pk")
    for action in rows.only("id", "order_id", "step", "message", "created_at"):
        latest[action.order_id] = action
    return latest


def remedy_action_get(*, shop, action_id: int) -> RemediationAction | None:
    return RemediationAction.objects.filter(shop=shop, pk=action_id).select_related("order").first()


def _time(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None
