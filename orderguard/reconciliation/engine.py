"""Detection: which social orders need the merchant, and why. Pure: facts and `now` in, a verdict out.

No database, no I/O: the orders app feeds it rows and stores what it returns, and the tests drive it with
tables. Statuses and the moves between them are data (STATUSES, TRANSITIONS), not scattered ifs.

Meta's order states (research/meta-commerce-api.md): FB_PROCESSING (Meta's own review, normally up to
30 minutes; cancellable after 24 h) -> CREATED (waiting for the registered order management app, for a
Shopify merchant the Facebook & Instagram channel, to acknowledge) -> IN_PROGRESS (acknowledged) ->
COMPLETED (all items shipped or cancelled). Meta cancels orders not shipped 30 days after creation.
Meta may send a state this list does not know (one it adds later, say "ON_HOLD"): the order is then shown
as such, never guessed to be one of the four.

Times come from the facts, never from when OrderGuard first looked: an order needs action from the moment
the facts say it should have moved on (created + grace, created + 24 h of review, the warning before the
auto-cancel), and it is resolved when Meta last changed it, if that falls after.

With the same facts, a verdict changes only when `now` crosses one of those deadlines: each verdict says
until when it holds (`recheck_at`), so a poll that learnt nothing new reclassifies only the orders whose
time has come.
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
    # An accepted order, not shipped, within the warning period before Meta cancels it.
    NEARING_AUTO_CANCEL = "nearing_auto_cancel"
    # Meta sent a state OrderGuard does not know: the merchant has to look at it.
    UNKNOWN_META_STATE = "unknown_meta_state"
    FINE = "fine"
    # Cancelled on Meta without ever needing action: closed, but not a success.
    CANCELLED = "cancelled"
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
    AUTO_CANCEL_SOON = "auto_cancel_soon"  # accepted, not shipped, Meta cancels it within the warning period
    AUTO_CANCEL_IMMINENT = "auto_cancel_imminent"  # ... within the last warning (a day, by default)
    UNKNOWN_META_STATE = "unknown_meta_state"  # a Meta state OrderGuard does not know
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    SHIPPED_OUTSIDE_SHOPIFY = "shipped_outside_shopify"  # COMPLETED on Meta, Shopify never had it: nothing to do
    CANCELLED = "cancelled"


NEEDS_ACTION = frozenset(
    {Status.STUCK_PROCESSING, Status.AWAITING_ACKNOWLEDGEMENT, Status.IMPORTED_NOT_ACKNOWLEDGED, Status.MISSING_FROM_SHOPIFY,
     Status.NEARING_AUTO_CANCEL, Status.UNKNOWN_META_STATE}
)
IN_PROCESSING = frozenset({Status.PROCESSING})
DONE = frozenset({Status.FINE, Status.CANCELLED, Status.RESOLVED})

_ANY = frozenset(Status)
# What a closed order can still turn into: missing from Shopify (its Shopify order deleted), near the
# auto-cancel (accepted, never shipped), or a state OrderGuard does not know.
_REOPENS = frozenset({Status.MISSING_FROM_SHOPIFY, Status.NEARING_AUTO_CANCEL, Status.UNKNOWN_META_STATE})

# From each status, where an order may go next. A move that is not listed means the facts went backwards
# (a stale or out-of-order read: Meta states only move forward), and the order keeps its status.
TRANSITIONS: dict[Status | None, frozenset[Status]] = {
    None: _ANY,
    Status.PROCESSING: _ANY - {Status.RESOLVED},
    Status.STUCK_PROCESSING: _ANY - {Status.FINE, Status.CANCELLED, Status.PROCESSING},
    Status.AWAITING_ACKNOWLEDGEMENT: NEEDS_ACTION - {Status.STUCK_PROCESSING} | {Status.RESOLVED},
    Status.IMPORTED_NOT_ACKNOWLEDGED: NEEDS_ACTION - {Status.STUCK_PROCESSING} | {Status.RESOLVED},
    Status.MISSING_FROM_SHOPIFY: NEEDS_ACTION - {Status.STUCK_PROCESSING} | {Status.RESOLVED},
    Status.NEARING_AUTO_CANCEL: NEEDS_ACTION - {Status.STUCK_PROCESSING} | {Status.RESOLVED},
    # An unknown state may be followed by any known one (it says nothing about where the order stood).
    Status.UNKNOWN_META_STATE: _ANY - {Status.FINE, Status.CANCELLED},
    # An accepted order can still turn out to be missing from Shopify (its Shopify order deleted, or the
    # acknowledgement came from elsewhere), or be cancelled on Meta.
    Status.FINE: frozenset({Status.FINE, Status.CANCELLED}) | _REOPENS,
    Status.CANCELLED: frozenset({Status.CANCELLED}),
    Status.RESOLVED: frozenset({Status.RESOLVED}) | _REOPENS,
}


@dataclass(frozen=True)
class DetectionSettings:
    grace: timedelta = timedelta(minutes=60)
    processing_limit: timedelta = timedelta(hours=24)
    auto_cancel_after: timedelta = timedelta(days=30)
    # How long before the auto-cancel an accepted, unshipped order needs action, and when it is imminent.
    auto_cancel_warning: timedelta = timedelta(days=7)
    auto_cancel_imminent: timedelta = timedelta(days=1)


@dataclass(frozen=True)
class ShopifyMatch:
    shopify_order_id: str
    name: str
    matched_field: str


@dataclass(frozen=True)
class OrderFacts:
    """What OrderGuard knows about one Meta order at `now`."""

    meta_state: str  # a MetaState, or whatever else Meta sent
    # When the order was placed; for an order whose `created` Meta did not give, a placeholder (the
    # order's last update or when OrderGuard first saw it).
    created_at: datetime
    meta_cancelled: bool = False
    # When Meta last changed the order (its `last_updated`), if known.
    updated_at: datetime | None = None
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
    # The last moment this verdict holds with the same facts (None: until the facts change); once `now`
    # passes it, classify again.
    recheck_at: datetime | None = None

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
    if status in (Status.FINE, Status.CANCELLED) and previous_status in NEEDS_ACTION | {Status.RESOLVED}:
        # An order that once needed action and is now closed has been resolved.
        status = Status.RESOLVED
    if previous is not None and status not in TRANSITIONS[previous.status]:
        status, reason = previous.status, previous.reason

    stuck_since = previous.stuck_since if previous else None
    resolved_at = previous.resolved_at if previous else None
    if status in NEEDS_ACTION:
        since = _needs_action_since(status, facts, now=now, settings=settings)
        stuck_since = min(stuck_since, since) if stuck_since else since
        resolved_at = None
    elif status == Status.RESOLVED and resolved_at is None:
        if previous is not None and previous.status in NEEDS_ACTION:
            # The facts may date the trouble earlier than the first look (an order stuck before install).
            since = _needs_action_since(previous.status, facts, now=now, settings=settings)
            stuck_since = min(stuck_since, since) if stuck_since else since
        resolved_at = _resolved_at(facts, stuck_since=stuck_since, now=now)
    return Verdict(
        status=status,
        reason=reason,
        deadline_at=_deadline(facts, settings),
        stuck_since=stuck_since,
        resolved_at=resolved_at,
        recheck_at=_recheck_at(facts, now=now, settings=settings),
    )


def _desired(facts: OrderFacts, *, channel: ChannelFacts, now: datetime, settings: DetectionSettings) -> tuple[Status, Reason]:
    age = now - facts.created_at
    if facts.meta_cancelled:
        return Status.CANCELLED, Reason.CANCELLED

    if facts.meta_state not in MetaState._value2member_map_:
        return Status.UNKNOWN_META_STATE, Reason.UNKNOWN_META_STATE

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
    not_in_shopify = (
        channel.order_management_app_registered is True and facts.shopify_checked and facts.shopify_match is None and age > settings.grace
    )
    if facts.meta_state == MetaState.COMPLETED:
        # Every item shipped or cancelled: whether Shopify has it or not, nothing is left to do.
        return Status.FINE, Reason.SHIPPED_OUTSIDE_SHOPIFY if not_in_shopify else Reason.COMPLETED
    if not_in_shopify:
        return Status.MISSING_FROM_SHOPIFY, Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY
    left = facts.created_at + settings.auto_cancel_after - now
    if left <= settings.auto_cancel_imminent:
        return Status.NEARING_AUTO_CANCEL, Reason.AUTO_CANCEL_IMMINENT
    if left <= settings.auto_cancel_warning:
        return Status.NEARING_AUTO_CANCEL, Reason.AUTO_CANCEL_SOON
    return Status.FINE, Reason.ACKNOWLEDGED


# `>`-deadlines (an age past a limit) change the verdict just after them; `>=`-deadlines (days left at or
# under a warning) at them, so the verdict holds until a microsecond before.
_JUST_BEFORE = timedelta(microseconds=1)


def _recheck_at(facts: OrderFacts, *, now: datetime, settings: DetectionSettings) -> datetime | None:
    """The last moment `_desired` gives the same answer for these facts: the earliest deadline of its
    Meta state not yet passed (a deadline that cannot matter only costs one needless reclassification).
    The rest of a verdict depends on `now` only when the status changes."""
    if facts.meta_cancelled or facts.meta_state not in MetaState._value2member_map_:
        return None
    created = facts.created_at
    if facts.meta_state == MetaState.FB_PROCESSING:
        candidates = [created + settings.processing_limit]
    elif facts.meta_state in (MetaState.CREATED, MetaState.COMPLETED):
        candidates = [created + settings.grace]
    else:  # IN_PROGRESS: missing from Shopify after the grace period, then the two auto-cancel warnings
        cancel_at = created + settings.auto_cancel_after
        candidates = [created + settings.grace, cancel_at - settings.auto_cancel_warning - _JUST_BEFORE,
                      cancel_at - settings.auto_cancel_imminent - _JUST_BEFORE]
    ahead = [moment for moment in candidates if moment >= now]
    return min(ahead) if ahead else None


def _needs_action_since(status: Status, facts: OrderFacts, *, now: datetime, settings: DetectionSettings) -> datetime:
    """When the facts say the order started needing action (never later than now)."""
    if status == Status.STUCK_PROCESSING:
        since = facts.created_at + settings.processing_limit
    elif status == Status.NEARING_AUTO_CANCEL:
        since = facts.created_at + settings.auto_cancel_after - settings.auto_cancel_warning
    elif status == Status.UNKNOWN_META_STATE:
        since = facts.updated_at or now  # since Meta put it in that state, as far as anyone knows
    else:
        since = facts.created_at + settings.grace
    return min(since, now)


def _resolved_at(facts: OrderFacts, *, stuck_since: datetime | None, now: datetime) -> datetime:
    """When Meta last changed the order, if that is after it started needing action; else now (the
    change that resolved it, a Shopify import say, happened since the last look)."""
    if facts.updated_at is not None and (stuck_since is None or facts.updated_at > stuck_since) and facts.updated_at <= now:
        return facts.updated_at
    return now


def _deadline(facts: OrderFacts, settings: DetectionSettings) -> datetime | None:
    """Meta cancels an order that is not shipped 30 days after it was placed."""
    if facts.meta_cancelled or facts.meta_state == MetaState.COMPLETED:
        return None
    return facts.created_at + settings.auto_cancel_after
