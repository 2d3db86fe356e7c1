"""Polling one shop: read Meta, ingest, read Shopify if due, classify, record the outcome.

A poll holds a single-flight lease per shop (two dispatches at once poll once), asks Meta for the orders
whose status changed since the last poll (minus an overlap), or every order of the window on a periodic
full sweep, upserts them, reads Shopify only when something could have changed there, and runs the
detection engine over every open order. With nothing new (no Meta change, no Shopify read, the same
detection settings and channel), only time can change a verdict: the poll then reclassifies just the orders
past their recheck time (one indexed read), and costs one Meta call, no Shopify call and four statements
(the task's read of the shop makes five). Errors become state: a broken connection stops polling, a
throttle sets a wait. When a shop is polled is orderguard.orders.schedule's job.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from django.utils import timezone

from orderguard.integrations.meta.errors import MetaError, MetaTransientError
from orderguard.integrations.meta.types import MetaOrder
from orderguard.integrations.shopify.errors import ShopifyError
from orderguard.meta_connections.clients import meta_graph_client
from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.selectors import meta_connection_of
from orderguard.meta_connections.services import meta_connection_record_apps, meta_connection_record_error
from orderguard.orders.classification import social_orders_classify, social_orders_due, social_orders_to_classify
from orderguard.orders.detection_settings import detection_settings_for
from orderguard.orders.ingest import IngestResult, social_orders_upsert
from orderguard.orders.models import PollState, SocialOrder
from orderguard.orders.poll_state import PollLease, poll_lease_held, poll_skip_record, poll_state_save
from orderguard.orders.schedule import (
    APPS_RECHECK,
    CHANNELS_RECHECK,
    FULL_SWEEP_EVERY,
    ORDER_WINDOW,
    OVERLAP,
    SHOPIFY_RECHECK,
    poll_next_after_failure,
)
from orderguard.orders.shopify_sync import shopify_channels_refresh, shopify_social_orders_sync
from orderguard.reconciliation.engine import ChannelFacts, DetectionSettings, MetaState
from orderguard.shops.clients import shopify_admin_client
from orderguard.shops.exceptions import ShopUnavailable
from orderguard.shops.models import Shop

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
# Meta states in which an order still waits for Shopify: worth a Shopify recheck while unmatched.
AWAITING_SHOPIFY = (MetaState.CREATED, MetaState.IN_PROGRESS)


class PollOutcome(StrEnum):
    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class PollReport:
    shop: str
    outcome: PollOutcome
    message: str = ""
    full_sweep: bool = False
    meta_calls: int = 0
    shopify_calls: int = 0
    orders_received: int = 0
    new_or_changed: int = 0
    # Orders received with a state OrderGuard does not know, without a usable `created`, or refused.
    unknown_states: int = 0
    created_unknown: int = 0
    rejected: int = 0
    reclassified: int = 0
    needs_action: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    duration_ms: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def poll_shop(*, shop: Shop, full: bool | None = None, now: datetime | None = None) -> PollReport:
    """Poll one shop now. Safe to call concurrently and repeatedly."""
    started = time.monotonic()
    now = now or timezone.now()
    report = PollReport(shop=shop.domain, outcome=PollOutcome.SKIPPED)
    with poll_lease_held(shop=shop) as lease:
        if lease is None:
            report.message = "another poll of this shop is running"
        else:
            try:
                _poll_locked(shop=shop, lease=lease, full=full, now=now, report=report)
            except Exception as error:
                # Whatever went wrong, it is recorded where the page and the stale watch look, and the
                # next poll runs as usual (its due time is the schedule's, untouched here).
                logger.exception("Poll of %s failed unexpectedly", shop.domain)
                _record_unexpected_failure(shop=shop, lease=lease, error=error, now=now)
                report.outcome, report.message = PollOutcome.FAILED, f"unexpected error: {type(error).__name__}"
        if report.outcome == PollOutcome.SKIPPED:
            poll_skip_record(shop=shop, reason=report.message, now=now, lease=lease)
    report.duration_ms = int((time.monotonic() - started) * 1000)
    return report


def _poll_locked(*, shop: Shop, lease: PollLease, full: bool | None, now: datetime, report: PollReport) -> None:
    connection = meta_connection_of(shop_id=shop.pk)
    report.message = _why_not_now(shop=shop, connection=connection, now=now)
    if report.message:
        return
    state = lease.state  # read by the statement that took the lease
    report.full_sweep = full = full if full is not None else _full_sweep_due(state=state, now=now)
    state.last_attempt_at = now

    meta_orders = _read_meta(connection=connection, state=state, lease=lease, full=full, now=now, report=report)
    if meta_orders is None:
        return
    ingested = social_orders_upsert(shop=shop, commerce_account_id=connection.commerce_account_id, meta_orders=meta_orders, now=now)
    report.new_or_changed = len(ingested.touched)
    report.unknown_states, report.created_unknown, report.rejected = ingested.unknown_states, ingested.created_unknown, ingested.rejected
    detection = detection_settings_for(shop=shop)  # the merchant's grace period and warning days, read once
    channel = ChannelFacts(order_management_app_registered=connection.order_management_app_registered)
    classified_with = _classified_with(detection=detection, channel=channel)
    retimed = classified_with != state.classified_with
    shopify_due = _shopify_due(state=state, touched=bool(ingested.touched), full=full, now=now)
    if shopify_due or retimed or ingested.touched:
        orders = social_orders_to_classify(shop=shop, now=now, also=ingested.touched, every_timed=retimed)
        if shopify_due:
            report.shopify_calls = _read_shopify(shop=shop, state=state, now=now)
        _classify(shop=shop, channel=channel, state=state, orders=orders, ingested=ingested, shopify_read=shopify_due, now=now,
                  report=report, detection=detection)
        _count(orders=orders, report=report)
        state.shopify_recheck_at = _shopify_recheck_at(state=state, orders=orders)
    else:
        due = social_orders_due(shop=shop, now=now)
        before = [(order.status, order.needs_action) for order in due]
        _classify(shop=shop, channel=channel, state=state, orders=due, ingested=ingested, shopify_read=False, now=now,
                  report=report, detection=detection)
        _count_changes(before=before, orders=due, last=state.last_report, report=report)
        if state.shopify_recheck_at is None:
            state.shopify_recheck_at = _shopify_recheck_at(state=state, orders=due)
    state.classified_with = classified_with
    _record_success(state=state, lease=lease, full=full, now=now, report=report)


def _why_not_now(*, shop: Shop, connection: MetaConnection | None, now: datetime) -> str:
    """Why this shop cannot be polled now ("" when it can)."""
    if not shop.is_active:
        return "the shop has not installed OrderGuard (or uninstalled it)"
    if connection is None or connection.status == MetaConnection.Status.DISCONNECTED:
        return "no Meta commerce account is connected"
    if connection.status == MetaConnection.Status.BROKEN:
        return f"the Meta connection needs reconnecting ({connection.broken_reason})"
    if connection.throttled_until and connection.throttled_until > now:
        return f"Meta asked to wait until {connection.throttled_until:%H:%M:%S} UTC"
    return ""


def _full_sweep_due(*, state: PollState, now: datetime) -> bool:
    return state.last_full_sweep_at is None or now - state.last_full_sweep_at >= FULL_SWEEP_EVERY


def _read_meta(
    *, connection: MetaConnection, state: PollState, lease: PollLease, full: bool, now: datetime, report: PollReport
) -> list[MetaOrder] | None:
    """The orders Meta changed since the last poll (the whole window on a full sweep), and the registered
    order-management apps when due. None when Meta failed: the failure is then recorded."""
    client = meta_graph_client(connection=connection)
    cms_id = connection.commerce_account_id
    updated_after = now - ORDER_WINDOW if full or state.meta_cursor is None else state.meta_cursor - OVERLAP
    try:
        meta_orders = list(client.list_orders(cms_id, states=tuple(MetaState), updated_after=updated_after, limit=PAGE_SIZE))
        if full or connection.apps_checked_at is None or now - connection.apps_checked_at >= APPS_RECHECK:
            apps = [{"id": app.id, "name": app.name} for app in client.order_management_apps(cms_id)]
            meta_connection_record_apps(connection=connection, apps=apps)
    except MetaError as error:
        report.meta_calls = client.calls
        meta_connection_record_error(connection=connection, error=error)
        _record_failure(state=state, lease=lease, error=error, now=now)
        report.outcome, report.message = PollOutcome.FAILED, f"Meta refused or failed the request: {error}"
        return None
    report.meta_calls = client.calls
    report.orders_received = len(meta_orders)
    _keep_usage_hold(connection=connection, not_before=client.not_before, now=now)
    return meta_orders


def _keep_usage_hold(*, connection: MetaConnection, not_before: float | None, now: datetime) -> None:
    """Meta's usage headers can ask for a pause even on a successful answer; store it like a throttle so
    the next poll (a new client) waits too."""
    if not_before is not None and not_before > now.timestamp():
        until = datetime.fromtimestamp(not_before, tz=UTC)
        MetaConnection.objects.filter(pk=connection.pk).update(throttled_until=until)
        logger.warning("Meta asked %s to slow down until %s", connection.shop_id, until)


def _classified_with(*, detection: DetectionSettings, channel: ChannelFacts) -> str:
    """What recheck times depend on besides the facts: a change means every order must be timed again."""
    return (f"grace={detection.grace.total_seconds():g};review={detection.processing_limit.total_seconds():g};"
            f"cancel={detection.auto_cancel_after.total_seconds():g};warning={detection.auto_cancel_warning.total_seconds():g};"
            f"imminent={detection.auto_cancel_imminent.total_seconds():g};app={channel.order_management_app_registered}")


def _shopify_due(*, state: PollState, touched: bool, full: bool, now: datetime) -> bool:
    """Read Shopify when something could have changed there: Meta changed an order, a full sweep, or an
    open order still waits for its Shopify order and the last look is SHOPIFY_RECHECK old."""
    if touched or full:
        return True
    return state.shopify_recheck_at is not None and state.shopify_recheck_at <= now


def _shopify_recheck_at(*, state: PollState, orders: list[SocialOrder]) -> datetime | None:
    """When Shopify is worth reading again though nothing changed: SHOPIFY_RECHECK after the last look
    while one of `orders` is open in a state that waits for Shopify and has no Shopify order."""
    if not any(o.meta_state in AWAITING_SHOPIFY and not o.shopify_order_id and not o.meta_cancelled for o in orders):
        return None
    return state.shopify_checked_at + SHOPIFY_RECHECK if state.shopify_checked_at else state.last_attempt_at


def _read_shopify(*, shop: Shop, state: PollState, now: datetime) -> int:
    """Learn the channel's handles (daily) and read its orders changed since the last look.

    A failure here does not fail the poll: orders then stay "awaiting acknowledgement" (Shopify not
    checked) instead of being called missing.
    """
    client = None
    try:
        client = shopify_admin_client(shop=shop)
        if state.channels_checked_at is None or now - state.channels_checked_at >= CHANNELS_RECHECK:
            shopify_channels_refresh(client=client, state=state, now=now)
        shopify_social_orders_sync(shop=shop, client=client, state=state, now=now)
        state.shopify_error = ""
    except (ShopifyError, ShopUnavailable) as error:
        state.shopify_error = f"{type(error).__name__}: {error}"[:255]
        logger.warning("Could not read Shopify orders of %s: %s", shop.domain, state.shopify_error)
    return client.calls if client is not None else 0


def _classify(
    *, shop: Shop, channel: ChannelFacts, state: PollState, orders: list[SocialOrder], ingested: IngestResult,
    shopify_read: bool, now: datetime, report: PollReport, detection: DetectionSettings,
) -> None:
    """Run the engine over the orders (rows inserted by this poll have no previous verdict)."""
    changed = social_orders_classify(
        shop=shop, orders=orders, channel=channel, shopify_checked_at=state.shopify_checked_at,
        now=now, fresh_ids=ingested.created_ids, refresh_matches=shopify_read, detection=detection,
    )
    report.reclassified = len(changed)


def _count(*, orders: list[SocialOrder], report: PollReport) -> None:
    statuses: dict[str, int] = {}
    for order in orders:
        statuses[order.status] = statuses.get(order.status, 0) + 1
    report.statuses = statuses
    report.needs_action = sum(1 for order in orders if order.needs_action)


def _count_changes(*, before: list[tuple[str, bool]], orders: list[SocialOrder], last: dict, report: PollReport) -> None:
    """The counts of the last poll, moved by what this poll reclassified (the other orders did not change)."""
    statuses = dict(last.get("statuses") or {})
    needs_action = int(last.get("needs_action") or 0)
    for (status, needed), order in zip(before, orders, strict=True):
        statuses[status] = statuses.get(status, 0) - 1
        statuses[order.status] = statuses.get(order.status, 0) + 1
        needs_action += int(order.needs_action) - int(needed)
    report.statuses = {status: count for status, count in statuses.items() if count > 0}
    report.needs_action = max(needs_action, 0)


def _record_success(*, state: PollState, lease: PollLease, full: bool, now: datetime, report: PollReport) -> None:
    report.outcome = PollOutcome.OK
    report.message = f"{report.orders_received} orders from Meta, {report.needs_action} need action"
    if report.unknown_states or report.created_unknown or report.rejected:
        report.message += (f"; {report.unknown_states} in an unknown state, {report.created_unknown} without a placement time,"
                           f" {report.rejected} refused")
    state.meta_cursor = now
    state.last_success_at = now
    state.consecutive_failures = 0
    state.last_error_code = state.last_error_message = ""
    state.stale_since = None
    if full:
        state.last_full_sweep_at = now
    state.last_report = {key: value for key, value in report.as_dict().items() if key != "duration_ms"}
    poll_state_save(state=state, lease=lease)


def _record_failure(*, state: PollState, lease: PollLease, error: MetaError, now: datetime) -> None:
    state.consecutive_failures += 1
    state.last_error_code = type(error).__name__[:40]
    state.last_error_message = str(error)[:500]
    poll_state_save(state=state, lease=lease)
    # Transient failures back off; other errors park the shop until its connection changes (broken) or
    # the throttle ends (the dispatcher checks both), so they keep the schedule's next due time.
    if isinstance(error, MetaTransientError):
        poll_next_after_failure(state=state, now=now)


def _record_unexpected_failure(*, shop: Shop, lease: PollLease, error: Exception, now: datetime) -> None:
    """A failure nobody planned for (a bug, the database refusing a row): counted like a Meta failure;
    the next poll comes at the schedule's next due time."""
    state = PollState.objects.get(shop=shop)
    state.last_attempt_at = now
    state.consecutive_failures += 1
    state.last_error_code = type(error).__name__[:40]
    state.last_error_message = str(error)[:500]
    poll_state_save(state=state, lease=lease)
