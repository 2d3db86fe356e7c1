"""Detection: which social orders need the merchant, and why. Pure: facts and `now` in, a verdict out.

No database, no I/O: the orders app feeds it rows and stores what it returns, and the tests drive it with
tables. Statuses and the moves between them are data (STATUSES, TRANSITIONS), not scattered ifs.

Meta's order states (research/meta-commerce-api.md): FB_PROCESSING (Meta's own review, normally up to
30 minutes; cancellable after 24 h) -> CREATED (waiting for the registered order management app, for a
Shopify merchant the Facebook & Instagram channel, to acknowledge) -> IN_PROGRESS (acknowledged) ->
COMPLETED (all items shipped or cancelled). Meta cancels orders not shipped 30 days after creation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class MetaState(StrEnum):
    FB_PROCESSING = "FB_PROCESSING"
    CREATED = "CREATED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


class Status(StrEnum):
    PROCESSING = "processing"
    STUCK_PROCESSING = "stuck_processing"
    AWAITING_ACKNOWLEDGEMENT = "awaiting_acknowledgement"
    IMPORTED_NOT_ACKNOWLEDGED = "imported_not_acknowledged"
    MISSING_FROM_SHOPIFY = "missing_from_shopify"
    FINE = "fine"
    RESOLVED = "resolved"


class Reason(StrEnum):
    """Stable codes: the UI turns each into a sentence a merchant understands."""

    META_REVIEWING = "meta_reviewing"  # FB_PROCESSING, under 24 h
    WITHIN_GRACE = "within_grace"  # CREATED, younger than the grace period
    REVIEW_OVER_24H = "review_over_24h"  # FB_PROCESSING for more than 24 h: cancellable
    NOT_ACKNOWLEDGED = "not_acknowledged"  # CREATED past grace; Shopify not checked yet
    NO_ORDER_MANAGEMENT_APP = "no_order_management_app"  # CREATED past grace and nobody to acknowledge it
    IMPORTED_NOT_ACKNOWLEDGED = "imported_not_acknowledged"  # Shopify has it, Meta still CREATED
    NOT_IN_SHOPIFY = "not_in_shopify"  # CREATED past grace and Shopify does not have it
    ACKNOWLEDGED_NOT_IN_SHOPIFY = "acknowledged_not_in_shopify"  # accepted on Meta, yet not in Shopify
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


NEEDS_ACTION = frozenset(
    {Status.STUCK_PROCESSING, Status.AWAITING_ACKNOWLEDGEMENT, Status.IMPORTED_NOT_ACKNOWLEDGED, Status.MISSING_FROM_SHOPIFY}
)
IN_PROCESSING = frozenset({Status.PROCESSING})
DONE = frozenset({Status.FINE, Status.RESOLVED})

_ANY = frozenset(Status)

# From each status, where an order may go next. A move that is not listed means the facts went backwards
# (a stale or out-of-order read: Meta states only move forward), and the order keeps its status.
TRANSITIONS: dict[Status | None, frozenset[Status]] = {
    None: _ANY,
    Status.PROCESSING: _ANY - {Status.RESOLVED},
    Status.STUCK_PROCESSING: _ANY - {Status.FINE, Status.PROCESSING},
    Status.AWAITING_ACKNOWLEDGEMENT: NEEDS_ACTION - {Status.STUCK_PROCESSING} | {Status.RESOLVED},
    Status.IMPORTED_NOT_ACKNOWLEDGED: NEEDS_ACTION - {Status.STUCK_PROCESSING} | {Status.RESOLVED},
    Status.MISSING_FROM_SHOPIFY: NEEDS_ACTION - {Status.STUCK_PROCESSING} | {Status.RESOLVED},
    # An accepted order can still turn out to be missing from Shopify (its Shopify order deleted, or the
    # acknowledgement came from elsewhere).
    Status.FINE: frozenset({Status.FINE, Status.MISSING_FROM_SHOPIFY}),
    Status.RESOLVED: frozenset({Status.RESOLVED, Status.MISSING_FROM_SHOPIFY}),
}


@dataclass(frozen=True)
class DetectionSettings:
    grace: timedelta = timedelta(minutes=60)
    processing_limit: timedelta = timedelta(hours=24)
    auto_cancel_after: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class ShopifyMatch:
    shopify_order_id: str
    name: str
    matched_field: str


@dataclass(frozen=True)
class OrderFacts:
    """What OrderGuard knows about one Meta order at `now`."""

    meta_state: MetaState
    created_at: datetime
    meta_cancelled: bool = False
    shopify_match: ShopifyMatch | None = None
    # False when Shopify could not be checked (not yet, no access, Shopify down): absence proves nothing.
    shopify_checked: bool = True


@dataclass(frozen=True)
class ChannelFacts:
    """About the commerce account: is an order management app (Shopify's channel) registered?
    None = unknown (not read yet)."""

    order_management_app_registered: bool | None = True


@dataclass(frozen=True)
class Previous:
    status: Status
    reason: Reason
    stuck_since: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: Reason
    deadline_at: datetime | None
    stuck_since: datetime | None
    resolved_at: datetime | None

    @property
    def needs_action(self) -> bool:
        return self.status in NEEDS_ACTION

    @property
    def time_to_resolve(self) -> timedelta | None:
        if self.resolved_at and self.stuck_since:
            return self.resolved_at - self.stuck_since
        return None


def classify(
    facts: OrderFacts,
    *,
    channel: ChannelFacts,
    previous: Previous | None,
    now: datetime,
    settings: DetectionSettings = DetectionSettings(),
) -> Verdict:
    status, reason = _desired(facts, channel=channel, now=now, settings=settings)
    previous_status = previous.status if previous else None
    if status in DONE:
        # An order that once needed action and is now fine has been resolved.
        status = Status.RESOLVED if previous_status in NEEDS_ACTION | {Status.RESOLVED} else Status.FINE
    if previous is not None and status not in TRANSITIONS[previous.status]:
        status, reason = previous.status, previous.reason

    stuck_since = previous.stuck_since if previous else None
    resolved_at = previous.resolved_at if previous else None
    if status in NEEDS_ACTION:
        stuck_since = stuck_since or now
        resolved_at = None
    elif status == Status.RESOLVED:
        resolved_at = resolved_at or now
    return Verdict(
        status=status,
        reason=reason,
        deadline_at=_deadline(facts, settings),
        stuck_since=stuck_since,
        resolved_at=resolved_at,
    )


def _desired(facts: OrderFacts, *, channel: ChannelFacts, now: datetime, settings: DetectionSettings) -> tuple[Status, Reason]:
    age = now - facts.created_at
    if facts.meta_cancelled:
        return Status.FINE, Reason.CANCELLED

    if facts.meta_state == MetaState.FB_PROCESSING:
        if age > settings.processing_limit:
            return Status.STUCK_PROCESSING, Reason.REVIEW_OVER_24H
        return Status.PROCESSING, Reason.META_REVIEWING

    if facts.meta_state == MetaState.CREATED:
        if age <= settings.grace:
            return Status.PROCESSING, Reason.WITHIN_GRACE
        if facts.shopify_match is not None:
            return Status.IMPORTED_NOT_ACKNOWLEDGED, Reason.IMPORTED_NOT_ACKNOWLEDGED
        if channel.order_management_app_registered is False:
            return Status.AWAITING_ACKNOWLEDGEMENT, Reason.NO_ORDER_MANAGEMENT_APP
        if not facts.shopify_checked:
            return Status.AWAITING_ACKNOWLEDGEMENT, Reason.NOT_ACKNOWLEDGED
        return Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY

    # IN_PROGRESS or COMPLETED: Meta considers the order accepted.
    done_reason = Reason.COMPLETED if facts.meta_state == MetaState.COMPLETED else Reason.ACKNOWLEDGED
    expected_in_shopify = channel.order_management_app_registered is True
    if expected_in_shopify and facts.shopify_checked and facts.shopify_match is None and age > settings.grace:
        return Status.MISSING_FROM_SHOPIFY, Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY
    return Status.FINE, done_reason


def _deadline(facts: OrderFacts, settings: DetectionSettings) -> datetime | None:
    """Meta cancels an order that is not shipped 30 days after it was placed."""
    if facts.meta_cancelled or facts.meta_state == MetaState.COMPLETED:
        return None
    return facts.created_at + settings.auto_cancel_after
