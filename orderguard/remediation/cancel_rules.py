"""May OrderGuard cancel this Meta order now? Meta's rules (cancellation API, research/meta-commerce-api.md §3.1)
plus ours: only an order that never reached Shopify's order management, so only CREATED, or FB_PROCESSING
once Meta allows it (more than 24 hours in review). Anything acknowledged, shipped or cancelled is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from orderguard.integrations.meta.types import MetaOrder

# Meta: an order stuck in FB_PROCESSING (risk check or buyer sanction) can be cancelled after 24 hours.
PROCESSING_CANCELLABLE_AFTER = timedelta(hours=24)


class CancelReason(StrEnum):
    """Meta's cancel_reason.reason_code values."""

    CUSTOMER_REQUESTED = "CUSTOMER_REQUESTED"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    INVALID_ADDRESS = "INVALID_ADDRESS"
    SUSPICIOUS_ORDER = "SUSPICIOUS_ORDER"
    CANCEL_REASON_OTHER = "CANCEL_REASON_OTHER"


class CancelRefusal(StrEnum):
    PROCESSING_UNDER_24H = "processing_under_24h"  # Meta refuses until the order is 24 h old
    ACKNOWLEDGED = "acknowledged"  # IN_PROGRESS: an order-management app (Shopify) owns it
    COMPLETED = "completed"
    SHIPPED = "shipped"
    ALREADY_CANCELLED = "already_cancelled"
    UNKNOWN_STATE = "unknown_state"


@dataclass(frozen=True)
class CancelVerdict:
    allowed: bool
    refusal: CancelRefusal | None = None
    # For PROCESSING_UNDER_24H: when Meta will accept the cancel.
    allowed_from: datetime | None = None


def cancel_verdict(
    *,
    state: str,
    created: datetime | None,
    now: datetime,
    shipped_quantity: int = 0,
    cancelled: bool = False,
) -> CancelVerdict:
    """The verdict from Meta's facts. `shipped_quantity`: items fulfilled; `cancelled`: fully cancelled."""
    # Cancelled and shipped are checked before the state: Meta moves both to COMPLETED, and the refusal
    # should say which one happened.
    if cancelled:
        return CancelVerdict(False, CancelRefusal.ALREADY_CANCELLED)
    if shipped_quantity > 0:
        return CancelVerdict(False, CancelRefusal.SHIPPED)
    if state == "CREATED":
        return CancelVerdict(True)
    if state == "FB_PROCESSING":
        if created is None:
            return CancelVerdict(False, CancelRefusal.PROCESSING_UNDER_24H)
        allowed_from = created + PROCESSING_CANCELLABLE_AFTER
        if now > allowed_from:
            return CancelVerdict(True)
        return CancelVerdict(False, CancelRefusal.PROCESSING_UNDER_24H, allowed_from=allowed_from)
    if state == "IN_PROGRESS":
        return CancelVerdict(False, CancelRefusal.ACKNOWLEDGED)
    if state == "COMPLETED":
        return CancelVerdict(False, CancelRefusal.COMPLETED)
    return CancelVerdict(False, CancelRefusal.UNKNOWN_STATE)


def cancel_verdict_for_order(order: MetaOrder, *, now: datetime) -> CancelVerdict:
    """The verdict for an order read from Meta with item statuses (ORDER_FIELDS asks for them)."""
    shipped = sum(item.fulfilled_quantity or 0 for item in order.items)
    return cancel_verdict(
        state=order.state, created=order.created, now=now, shipped_quantity=shipped, cancelled=order.fully_cancelled
    )
