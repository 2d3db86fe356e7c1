"""A stuck order as it leaves OrderGuard: one row, for `stuck_orders --json` (docs/stuck-orders-json.md)
and for the command's table; and the order's page in Shopify admin. (The page's CSV: csv_export.py.)"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from orderguard.orders.models import SocialOrder
from orderguard.orders.reasons import humanize_duration, reason_text, status_label

JSON_FORMAT_VERSION = 1
SHOPIFY_ORDER_GID = "gid://shopify/Order/"


@dataclass(frozen=True)
class StuckOrderRow:
    meta_order_id: str
    channel: str
    status: str
    reason: str
    meta_state: str
    buyer: str
    placed_at: datetime
    amount: Decimal | None
    currency: str
    deadline_at: datetime | None
    stuck_since: datetime | None
    shopify_order: str

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def reason_text(self) -> str:
        return reason_text(self.reason)


def stuck_order_row(order: SocialOrder) -> StuckOrderRow:
    return StuckOrderRow(
        meta_order_id=order.meta_order_id, channel=order.channel, status=order.status, reason=order.reason, meta_state=order.meta_state,
        buyer=order.buyer_name, placed_at=order.meta_created_at, amount=order.total_amount, currency=order.currency,
        deadline_at=order.deadline_at, stuck_since=order.stuck_since, shopify_order=order.shopify_order_name,
    )


def shopify_admin_path(order: SocialOrder) -> str:
    """The order's page in Shopify admin, relative to the shop's admin (Shop.admin_url); "" when none."""
    numeric_id = order.shopify_order_id.removeprefix(SHOPIFY_ORDER_GID)
    return f"orders/{numeric_id}" if order.shopify_order_name and numeric_id else ""


# stuck_orders --json and its table
# ------------------------------------------------------------------------------------------------------


def stuck_orders_json(*, shop_domain: str, orders: Iterable[SocialOrder], last_success_at: datetime | None, stale: bool, now: datetime) -> str:
    return json.dumps(
        {
            "format_version": JSON_FORMAT_VERSION,
            "shop": shop_domain,
            "generated_at": _iso(now),
            "last_successful_poll_at": _iso(last_success_at),
            "poller_stale": stale,
            "orders": [_json_row(row, now=now) for row in map(stuck_order_row, orders)],
        },
        indent=2,
    )


def _json_row(row: StuckOrderRow, *, now: datetime) -> dict:
    return {
        "meta_order_id": row.meta_order_id,
        "channel": row.channel,
        "status": row.status,
        "reason": row.reason,
        "reason_text": row.reason_text,
        "meta_state": row.meta_state,
        "placed_at": _iso(row.placed_at),
        "age_seconds": int((now - row.placed_at).total_seconds()),
        "amount": str(row.amount) if row.amount is not None else None,
        "currency": row.currency or None,
        "deadline_at": _iso(row.deadline_at),
        "stuck_since": _iso(row.stuck_since),
        "shopify_order": row.shopify_order or None,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


TABLE_HEADER = f"{'Meta order':<18} {'Status':<30} {'Age':<10} {'Amount':>12} {'Deadline':<17} Reason"


def stuck_orders_table(orders: Iterable[SocialOrder], *, now: datetime) -> list[str]:
    """The command's table: a header line, then one line per order."""
    lines = [TABLE_HEADER]
    for row in map(stuck_order_row, orders):
        amount = f"{row.amount} {row.currency}" if row.amount is not None else "—"
        deadline = row.deadline_at.strftime("%Y-%m-%d %H:%M") if row.deadline_at else "—"
        lines.append(
            f"{row.meta_order_id:<18} {row.status_label:<30} {humanize_duration(now - row.placed_at):<10} "
            f"{amount:>12} {deadline:<17} {row.reason_text}"
        )
    return lines
