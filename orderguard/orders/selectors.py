"""Reads of social orders and poll state, always scoped by shop."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState, SocialOrder, SocialOrderEvent
from orderguard.orders.schedule import poll_interval
from orderguard.reconciliation.engine import IN_PROCESSING, NEEDS_ACTION, Reason, Status
from orderguard.shops.models import Shop


def stuck_orders(*, shop) -> QuerySet[SocialOrder]:
    """Orders that need the merchant, oldest first."""
    return SocialOrder.objects.filter(shop=shop, needs_action=True).order_by("meta_created_at", "pk")


@dataclass(frozen=True)
class PollHealth:
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    next_poll_at: datetime | None
    last_error: str
    stale: bool


def poll_health(*, shop, now: datetime | None = None) -> PollHealth:
    """When OrderGuard last checked, and whether the poller is stale (no success for three intervals)."""
    return _poll_health(PollState.objects.filter(shop=shop).first(), now=now or timezone.now())


def _poll_health(state: PollState | None, *, now: datetime) -> PollHealth:
    if state is None:
        return PollHealth(None, None, None, "", False)
    reference = state.last_success_at or state.created_at
    return PollHealth(
        last_success_at=state.last_success_at,
        last_attempt_at=state.last_attempt_at,
        next_poll_at=state.next_poll_at,
        last_error=state.last_error_message,
        stale=state.stale_since is not None or (reference is not None and now - reference > 3 * poll_interval()),
    )


@dataclass(frozen=True)
class ShopHealth:
    """What OrderGuard can reach and check for a shop, decided here so pages only test flags."""

    poll: PollHealth
    connection: MetaConnection | None
    meta_connected: bool
    meta_broken: bool  # Meta refused our access: checks are paused until the merchant reconnects
    meta_permission_missing: bool  # ... because a permission was removed (else the token died)
    shopify_active: bool  # OrderGuard's access to the shop works (else: reopen the app)
    shopify_unchecked: bool  # the last poll could not read Shopify

    @property
    def meta_missing(self) -> bool:
        """Never connected, or disconnected: the merchant has to connect first."""
        return not self.meta_connected and not self.meta_broken


def shop_health(*, shop, now: datetime | None = None) -> ShopHealth:
    connection = MetaConnection.objects.filter(shop=shop).first()
    state = PollState.objects.filter(shop=shop).first()
    status = connection.status if connection else None
    return ShopHealth(
        poll=_poll_health(state, now=now or timezone.now()),
        connection=connection,
        meta_connected=status == MetaConnection.Status.CONNECTED,
        meta_broken=status == MetaConnection.Status.BROKEN,
        meta_permission_missing=status == MetaConnection.Status.BROKEN and connection.broken_reason == "permission_missing",
        shopify_active=shop.is_active,
        shopify_unchecked=bool(state and state.shopify_error),
    )


@dataclass(frozen=True)
class CheckStatus:
    """Whether OrderGuard has checked the shop's orders at all (issue 11, item 7): until the first
    successful poll, "no stuck orders" would be a claim nobody checked. `why` says what is missing:
    "not_connected", "first_poll_running" or "last_poll_failed" (with `error`)."""

    checked: bool
    why: str = ""
    error: str = ""


def orders_check_status(*, health: ShopHealth) -> CheckStatus:
    if health.poll.last_success_at is not None:
        return CheckStatus(checked=True)
    if not health.meta_connected:
        return CheckStatus(checked=False, why="not_connected")
    if health.poll.last_error:
        return CheckStatus(checked=False, why="last_poll_failed", error=health.poll.last_error)
    return CheckStatus(checked=False, why="first_poll_running")


# The orders page
# ------------------------------------------------------------------------------------------------------

TABS: dict[str, frozenset | None] = {
    "needs_action": NEEDS_ACTION,
    "processing": IN_PROCESSING,
    # Only orders that needed action and recovered; always-fine and cancelled orders are under "all".
    "resolved": frozenset({Status.RESOLVED}),
    "all": None,
}
SORTS = {
    "oldest": ("meta_created_at", "pk"),
    "newest": ("-meta_created_at", "-pk"),
    "amount_high": ("-total_amount", "meta_created_at"),
    "amount_low": ("total_amount", "meta_created_at"),
    "deadline": ("deadline_at", "meta_created_at"),
}
CHANNELS = ("facebook", "instagram")
PAGE_SIZE = 25
LIST_FIELDS = (
    "id", "meta_order_id", "channel", "meta_state", "meta_created_at", "buyer_name", "buyer_email", "items",
    "total_amount", "currency", "status", "reason", "deadline_at", "shopify_order_id", "shopify_order_name", "created_unknown",
)


@dataclass(frozen=True)
class OrderListQuery:
    tab: str = "needs_action"
    channel: str = ""
    search: str = ""
    sort: str = "oldest"
    page: int = 1

    @classmethod
    def from_params(cls, params) -> OrderListQuery:
        """Parse query parameters; anything unknown falls back to the default (never an error)."""
        tab = params.get("tab", "needs_action")
        channel = params.get("channel", "")
        sort = params.get("sort", "oldest")
        try:
            page = max(int(params.get("page", 1)), 1)
        except (TypeError, ValueError):
            page = 1
        return cls(
            tab=tab if tab in TABS else "needs_action",
            channel=channel if channel in CHANNELS else "",
            search=(params.get("q") or "").strip()[:100],
            sort=sort if sort in SORTS else "oldest",
            page=page,
        )

    @property
    def filtered(self) -> bool:
        return bool(self.channel or self.search)

    @property
    def searchable(self) -> bool:
        """Taken literally, a search with a control character (a NUL byte, say) matches no order; the
        databases would not compare it literally (SQLite's LIKE stops at NUL, PostgreSQL refuses it)."""
        return not any(unicodedata.category(char) == "Cc" for char in self.search)


@dataclass(frozen=True)
class OrderPage:
    orders: list
    total: int
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def orders_tab_counts(*, shop, query: OrderListQuery | None = None) -> dict[str, int]:
    """How many orders each tab holds (one grouped query), narrowed by the query's search and channel."""
    orders = _filtered(SocialOrder.objects.filter(shop=shop), query) if query is not None else SocialOrder.objects.filter(shop=shop)
    by_status = dict(orders.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    counts = {tab: sum(n for status, n in by_status.items() if statuses is None or status in statuses) for tab, statuses in TABS.items()}
    return counts


def _filtered(orders: QuerySet[SocialOrder], query: OrderListQuery) -> QuerySet[SocialOrder]:
    """The orders that match the query's channel and search (every tab)."""
    if query.channel:
        orders = orders.filter(channel=query.channel)
    if query.search:
        term = query.search.lstrip("#")
        if not query.searchable:
            orders = orders.none()
        elif term.isdigit():
            orders = orders.filter(Q(meta_order_id__startswith=term) | Q(shopify_order_name=f"#{term}"))
        else:
            orders = orders.filter(Q(buyer_name__icontains=term) | Q(buyer_email__icontains=term))
    return orders


def orders_matching(*, shop, query: OrderListQuery) -> QuerySet[SocialOrder]:
    """The shop's orders in the query's tab that match its channel and search, unordered and unpaged."""
    orders = SocialOrder.objects.filter(shop=shop)
    statuses = TABS[query.tab]
    if statuses is not None:
        orders = orders.filter(status__in=[s.value for s in statuses])
    return _filtered(orders, query)


def orders_list(*, shop, query: OrderListQuery, tab_counts: dict[str, int] | None = None) -> OrderPage:
    orders = orders_matching(shop=shop, query=query)
    total = tab_counts[query.tab] if tab_counts is not None else orders.count()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(query.page, pages)
    start = (page - 1) * PAGE_SIZE
    rows = list(orders.order_by(*SORTS[query.sort]).only(*LIST_FIELDS)[start : start + PAGE_SIZE])
    return OrderPage(orders=rows, total=total, page=page, pages=pages)


@dataclass(frozen=True)
class OrdersSummary:
    needs_action: int
    held: list[tuple[str, Decimal]]  # (currency, amount) held in orders that need action
    oldest_placed_at: datetime | None
    nearest_deadline: datetime | None
    # Stuck orders whose buyer paid the store link of a remedy, against stuck orders cancelled without
    # that: (currency, amount), per currency (money is never added across currencies).
    recovered: list[tuple[str, Decimal]] = field(default_factory=list)
    lost: list[tuple[str, Decimal]] = field(default_factory=list)


def orders_summary(*, shop) -> OrdersSummary:
    """The figures above the fold: from the orders that need action (one grouped query), and revenue
    recovered against lost (one more)."""
    rows = (
        SocialOrder.objects.filter(shop=shop, needs_action=True)
        .values("currency")
        .annotate(n=Count("id"), total=Sum("total_amount"), oldest=Min("meta_created_at"), deadline=Min("deadline_at"))
        .order_by("currency")
    )
    rows = list(rows)
    recovered, lost = revenue_outcomes(shop=shop)
    return OrdersSummary(
        needs_action=sum(row["n"] for row in rows),
        held=[(row["currency"], row["total"]) for row in rows if row["currency"] and row["total"] is not None],
        oldest_placed_at=min((row["oldest"] for row in rows if row["oldest"]), default=None),
        nearest_deadline=min((row["deadline"] for row in rows if row["deadline"]), default=None),
        recovered=recovered,
        lost=lost,
    )


def revenue_outcomes(*, shop) -> tuple[list[tuple[str, Decimal]], list[tuple[str, Decimal]]]:
    """(recovered, lost) per currency, in one grouped query. Recovered: what buyers paid for the store links
    of stuck orders. Lost: orders that were stuck (never in Shopify) and ended cancelled on Meta without a
    recovery."""
    recovered_q = Q(recovered_at__isnull=False, recovered_amount__isnull=False)
    lost_q = Q(meta_cancelled=True, stuck_since__isnull=False, shopify_order_id="", recovered_at__isnull=True)
    rows = (SocialOrder.objects.filter(recovered_q | lost_q, shop=shop)
            .values("currency", "recovered_currency")
            .annotate(recovered=Sum("recovered_amount", filter=recovered_q), lost=Sum("total_amount", filter=lost_q)))
    recovered: dict[str, Decimal] = {}
    lost: dict[str, Decimal] = {}
    for row in rows:
        if row["recovered"] is not None and row["recovered_currency"]:
            recovered[row["recovered_currency"]] = recovered.get(row["recovered_currency"], Decimal(0)) + row["recovered"]
        if row["lost"] is not None and row["currency"]:
            lost[row["currency"]] = lost.get(row["currency"], Decimal(0)) + row["lost"]
    return sorted(recovered.items()), sorted(lost.items())


@dataclass(frozen=True)
class OrdersList:
    """The list part of the orders page (its htmx partial): tabs with counts and one page of orders."""

    query: OrderListQuery
    tab_counts: dict[str, int]
    page: OrderPage
    check: CheckStatus


@dataclass(frozen=True)
class OrdersSummaryPanel:
    """The part above the fold (its htmx partial): the figures and what is wrong with the checks."""

    summary: OrdersSummary
    health: ShopHealth
    check: CheckStatus


@dataclass(frozen=True)
class OrdersPage:
    query: OrderListQuery
    tab_counts: dict[str, int]
    page: OrderPage
    summary: OrdersSummary
    health: ShopHealth
    stamp: str
    check: CheckStatus


def orders_list_context(*, shop, query: OrderListQuery) -> OrdersList:
    tab_counts = orders_tab_counts(shop=shop, query=query)
    return OrdersList(query=query, tab_counts=tab_counts, page=orders_list(shop=shop, query=query, tab_counts=tab_counts),
                      check=orders_check_status(health=shop_health(shop=shop)))


def orders_summary_context(*, shop) -> OrdersSummaryPanel:
    health = shop_health(shop=shop)
    return OrdersSummaryPanel(summary=orders_summary(shop=shop), health=health, check=orders_check_status(health=health))


def orders_page_context(*, shop, query: OrderListQuery) -> OrdersPage:
    """Everything the orders page shows, from the database only."""
    tab_counts = orders_tab_counts(shop=shop)
    page, panel = orders_list(shop=shop, query=query, tab_counts=tab_counts), orders_summary_context(shop=shop)
    return OrdersPage(
        query=query, tab_counts=tab_counts, page=page, summary=panel.summary, health=panel.health,
        stamp=orders_freshness_stamp(shop=shop), check=panel.check,
    )


def order_get(*, shop, order_id: int) -> SocialOrder | None:
    return SocialOrder.objects.filter(shop=shop, pk=order_id).first()


def order_timeline(*, order: SocialOrder) -> list[SocialOrderEvent]:
    return list(order.events.order_by("at", "pk"))


@dataclass(frozen=True)
class OrderDetail:
    order: SocialOrder
    timeline: list[SocialOrderEvent]
    commerce_manager_url: str


def order_detail_context(*, shop, order_id: int) -> OrderDetail | None:
    order = order_get(shop=shop, order_id=order_id)
    if order is None:
        return None
    url = settings.META_COMMERCE_MANAGER_ORDER_URL.format(cms_id=order.commerce_account_id, order_id=order.meta_order_id)
    return OrderDetail(order=order, timeline=order_timeline(order=order), commerce_manager_url=url)


def orders_freshness_stamp(*, shop) -> str:
    """Changes whenever an order of the shop changes or a poll succeeds: the page refreshes its list then."""
    latest_order = SocialOrder.objects.filter(shop=OuterRef("pk")).order_by("-updated_at").values("updated_at")[:1]
    last_success = PollState.objects.filter(shop=OuterRef("pk")).values("last_success_at")[:1]
    latest, state = (  # one query: the freshness poll asks every 10 s from every open page
        Shop.objects.filter(pk=shop.pk).annotate(latest=Subquery(latest_order), polled=Subquery(last_success)).values_list("latest", "polled").get()
    )
    return f"{latest.timestamp() if latest else 0:.6f}-{state.timestamp() if state else 0:.0f}"


def orders_resolved_since(*, shop, stamp: str) -> int:
    """How many orders reached Shopify (resolved, not by a cancellation) after the page showing `stamp`
    (orders_freshness_stamp) was rendered: a resolved order's resolved_at is never after its updated_at,
    so anything resolved before that render is at or below the stamp's time."""
    try:
        seen = datetime.fromtimestamp(float(stamp.partition("-")[0]), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return 0
    resolved = SocialOrder.objects.filter(shop=shop, status=Status.RESOLVED, resolved_at__gt=seen).exclude(reason=Reason.CANCELLED)
    return resolved.count()


def orders_by_ids(*, shop, ids: Iterable[int]) -> list[SocialOrder]:
    """The shop's orders with these ids; an id outside the key's range matches nothing (the database would
    refuse it)."""
    low, high = connection.ops.integer_field_range(SocialOrder._meta.pk.get_internal_type())
    ids = [pk for pk in ids if (low is None or pk >= low) and (high is None or pk <= high)]
    return list(SocialOrder.objects.filter(shop=shop, pk__in=ids).order_by("meta_created_at"))
