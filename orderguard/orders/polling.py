"""Polling a shop's Meta orders and cross-checking Shopify: one poll, the dispatcher, the watcher.

A poll holds a single-flight lease per shop (two dispatches at once poll once), asks Meta for the orders
whose status changed since the last poll (minus an overlap), or every order of the last 35 days on a
periodic full sweep, upserts them, reads Shopify only when something could have changed there, and runs the
detection engine over every open order. With nothing new, an incremental poll costs one Meta call and no
Shopify call. Errors become state: a broken connection stops polling, a throttle sets a wait.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from orderguard.core.locks import single_flight
from orderguard.integrations.meta.errors import MetaError, MetaTransientError
from orderguard.integrations.shopify.errors import ShopifyError
from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.clients import meta_graph_client
from orderguard.meta_connections.services import meta_connection_record_apps, meta_connection_record_error
from orderguard.orders.classification import CLASSIFY_FIELDS, VERDICT_FIELDS, social_orders_classify
from orderguard.orders.ingest import social_orders_upsert
from orderguard.orders.models import PollState, SocialOrder
from orderguard.orders.shopify_sync import shopify_channels_refresh, shopify_social_orders_sync
from orderguard.reconciliation.engine import DONE, ChannelFacts
from orderguard.shops.exceptions import ShopUnavailable
from orderguard.shops.models import Shop
from orderguard.shops.clients import shopify_admin_client

logger = logging.getLogger(__name__)

ALL_STATES = ("FB_PROCESSING", "CREATED", "IN_PROGRESS", "COMPLETED")
# Meta's updated_after is on status changes; asking again for the last 10 minutes catches a change that
# landed while the previous poll was reading.
OVERLAP = timedelta(minutes=10)
# A full sweep re-reads the whole 30-day window, in case an incremental poll ever missed a change.
FULL_SWEEP_EVERY = timedelta(hours=6)
FULL_SWEEP_WINDOW = timedelta(days=35)
# Without a Meta change, look at Shopify again this often for orders still unmatched (webhooks usually
# bring a new Shopify order sooner).
SHOPIFY_RECHECK = timedelta(minutes=30)
CHANNELS_RECHECK = timedelta(hours=24)
APPS_RECHECK = timedelta(hours=24)
# Longer than a poll task's hard time limit (300 s), so a crashed poll cannot block the shop for long.
LOCK_TTL = timedelta(minutes=10)
PAGE_SIZE = 100


@dataclass
class PollReport:
    shop: str
    outcome: str  # "ok", "skipped" or "failed"
    message: str = ""
    full_sweep: bool = False
    meta_calls: int = 0
    shopify_calls: int = 0
    orders_received: int = 0
    new_or_changed: int = 0
    reclassified: int = 0
    needs_action: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    duration_ms: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def poll_interval() -> timedelta:
    return timedelta(minutes=settings.POLL_INTERVAL_MINUTES)


def poll_schedule_now(*, shop: Shop) -> PollState:
    """Make the shop due for a poll at the next dispatch (after connecting, or on demand)."""
    state, _ = PollState.objects.update_or_create(shop=shop, defaults={"next_poll_at": timezone.now()})
    return state


def poll_shop(*, shop: Shop, full: bool | None = None, now: datetime | None = None) -> PollReport:
    """Poll one shop now. Safe to call concurrently and repeatedly."""
    started = time.monotonic()
    now = now or timezone.now()
    report = PollReport(shop=shop.domain, outcome="skipped")
    with single_flight(f"poll-shop:{shop.pk}", ttl=LOCK_TTL) as acquired:
        if not acquired:
            report.message = "another poll of this shop is running"
        else:
            _poll_locked(shop=shop, full=full, now=now, report=report)
    report.duration_ms = int((time.monotonic() - started) * 1000)
    return report


def _poll_locked(*, shop: Shop, full: bool | None, now: datetime, report: PollReport) -> None:
    connection = MetaConnection.objects.filter(shop=shop).first()
    if not shop.is_active:
        report.message = "the shop has not installed OrderGuard (or uninstalled it)"
        return
    if connection is None or connection.status == MetaConnection.Status.DISCONNECTED:
        report.message = "no Meta commerce account is connected"
        return
    if connection.status == MetaConnection.Status.BROKEN:
        report.message = f"the Meta connection needs reconnecting ({connection.broken_reason})"
        return
    if connection.throttled_until and connection.throttled_until > now:
        report.message = f"Meta asked to wait until {connection.throttled_until:%H:%M:%S} UTC"
        return

    state, _ = PollState.objects.get_or_create(shop=shop, defaults={"next_poll_at": now})
    full = full if full is not None else (state.last_full_sweep_at is None or now - state.last_full_sweep_at >= FULL_SWEEP_EVERY)
    report.full_sweep = full
    state.last_attempt_at = now

    client = meta_graph_client(connection=connection)
    cms_id = connection.commerce_account_id
    updated_after = now - FULL_SWEEP_WINDOW if full or state.meta_cursor is None else state.meta_cursor - OVERLAP
    try:
        meta_orders = list(client.list_orders(cms_id, states=ALL_STATES, updated_after=updated_after, limit=PAGE_SIZE))
        if full or connection.apps_checked_at is None or now - connection.apps_checked_at >= APPS_RECHECK:
            apps = [{"id": app.id, "name": app.name} for app in client.order_management_apps(cms_id)]
            meta_connection_record_apps(connection=connection, apps=apps)
    except MetaError as error:
        report.meta_calls = client.calls
        meta_connection_record_error(connection=connection, error=error)
        _record_failure(state=state, error=error, now=now)
        report.outcome, report.message = "failed", f"Meta refused or failed the request: {error}"
        return
    report.meta_calls = client.calls
    report.orders_received = len(meta_orders)
    _keep_usage_hold(connection=connection, not_before=client.not_before, now=now)

    touched = social_orders_upsert(shop=shop, commerce_account_id=cms_id, meta_orders=meta_orders, now=now)
    fresh_ids = _fresh(touched)
    report.new_or_changed = len(touched)
    open_orders = list(
        SocialOrder.objects.filter(shop=shop).exclude(status__in=[s.value for s in DONE]).only(*CLASSIFY_FIELDS, *VERDICT_FIELDS)
    )
    to_classify = {order.pk: order for order in open_orders}
    to_classify.update({order.pk: order for order in touched})

    shopify_read = _shopify_due(state=state, touched=bool(touched), full=full, orders=list(to_classify.values()), now=now)
    if shopify_read:
        report.shopify_calls = _read_shopify(shop=shop, state=state, now=now)

    channel = ChannelFacts(order_management_app_registered=connection.order_management_app_registered)
    changed = social_orders_classify(
        shop=shop, orders=list(to_classify.values()), channel=channel, shopify_checked_at=state.shopify_checked_at,
        now=now, fresh_ids=fresh_ids, refresh_matches=shopify_read,
    )
    report.reclassified = len(changed)
    statuses: dict[str, int] = {}
    for order in to_classify.values():
        statuses[order.status] = statuses.get(order.status, 0) + 1
    report.statuses = statuses
    report.needs_action = sum(1 for order in to_classify.values() if order.needs_action)
    report.outcome = "ok"
    report.message = f"{report.orders_received} orders from Meta, {report.needs_action} need action"

    state.meta_cursor = now
    state.last_success_at = now
    state.consecutive_failures = 0
    state.last_error_code = state.last_error_message = ""
    state.stale_since = None
    state.next_poll_at = now + poll_interval()
    if full:
        state.last_full_sweep_at = now
    state.last_report = {key: value for key, value in report.as_dict().items() if key != "duration_ms"}
    state.save()


def _keep_usage_hold(*, connection: MetaConnection, not_before: float | None, now: datetime) -> None:
    """Meta's usage headers can ask for a pause even on a successful answer; store it like a throttle so
    the next poll (a new client) waits too."""
    if not_before is not None and not_before > now.timestamp():
        until = datetime.fromtimestamp(not_before, tz=UTC)
        MetaConnection.objects.filter(pk=connection.pk).update(throttled_until=until)
        logger.warning("Meta asked %s to slow down until %s", connection.shop_id, until)


def _fresh(touched: list[SocialOrder]) -> frozenset[int]:
    """Rows inserted by this poll (marked by the upsert) have no previous verdict."""
    return frozenset(order.pk for order in touched if getattr(order, "_inserted", False))


def _shopify_due(*, state: PollState, touched: bool, full: bool, orders: list[SocialOrder], now: datetime) -> bool:
    if touched or full:
        return True
    unmatched_open = any(o.meta_state in ("CREATED", "IN_PROGRESS") and not o.shopify_order_id for o in orders)
    if not unmatched_open:
        return False
    return state.shopify_checked_at is None or now - state.shopify_checked_at >= SHOPIFY_RECHECK


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


def _record_failure(*, state: PollState, error: MetaError, now: datetime) -> None:
    state.consecutive_failures += 1
    state.last_error_code = type(error).__name__[:40]
    state.last_error_message = str(error)[:500]
    # Transient failures back off (1, 2, 4 … intervals, at most an hour); other errors park the shop until
    # its connection changes (broken) or the throttle ends (the dispatcher checks both).
    backoff = poll_interval() * min(2 ** (state.consecutive_failures - 1), 12)
    state.next_poll_at = now + (backoff if isinstance(error, MetaTransientError) else poll_interval())
    state.save()


# Dispatcher and watcher
# ------------------------------------------------------------------------------------------------------


def _pollable(now: datetime):
    connected = MetaConnection.objects.filter(shop=OuterRef("shop"), status=MetaConnection.Status.CONNECTED).filter(
        Q(throttled_until__isnull=True) | Q(throttled_until__lte=now)
    )
    return PollState.objects.filter(shop__status=Shop.Status.ACTIVE).filter(Exists(connected))


def polls_dispatch_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Claim the shops due a poll (moving their next_poll_at on) and return their ids.

    The claim is a conditional update, so two dispatchers running at once never claim the same shop.
    """
    now = now or timezone.now()
    claimed = []
    due = _pollable(now).filter(next_poll_at__lte=now).order_by("next_poll_at").values_list("pk", "shop_id", "next_poll_at")[:limit]
    for pk, shop_id, next_poll_at in due:
        if PollState.objects.filter(pk=pk, next_poll_at=next_poll_at).update(next_poll_at=now + poll_interval()):
            claimed.append(shop_id)
    return claimed


def pollers_flag_stale(*, now: datetime | None = None) -> list[str]:
    """Flag shops whose last successful poll is older than three intervals (a poller that silently
    stopped hid orders for weeks in other integrations). Returns the newly flagged shop domains."""
    now = now or timezone.now()
    threshold = now - 3 * poll_interval()
    pollable = _pollable(now)
    stale = pollable.filter(Q(last_success_at__lt=threshold) | Q(last_success_at__isnull=True, created_at__lt=threshold))
    newly = list(stale.filter(stale_since__isnull=True).values_list("shop__domain", flat=True))
    stale.filter(stale_since__isnull=True).update(stale_since=now)
    PollState.objects.filter(stale_since__isnull=False, last_success_at__gte=threshold).update(stale_since=None)
    for domain in newly:
        logger.warning("No successful poll of %s for more than %s", domain, 3 * poll_interval())
    return newly
