"""The orders page's CSV export: one row per item line, headers and words in the merchant's language, in
a dialect the merchant's spreadsheet opens as columns, written row by row so 10,000 orders never sit in
memory at once.

Dutch Excel splits on `;` and reads `80,50` as a number; English Excel wants `,` and `80.50`. A UTF-8
byte order mark makes Excel read accents and emoji in buyers' names right.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from orderguard.orders.models import SocialOrder
from orderguard.orders.reasons import reason_text, status_label

BOM = "\ufeff"
# OWASP's rule against formula injection: a cell starting like a formula is prefixed with a quote, so a
# spreadsheet shows it as text (buyers choose their own names on Facebook and Instagram).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHANNEL_NAMES = {"facebook": "Facebook", "instagram": "Instagram"}
ORDER_COLUMNS = (
    ("meta_order_id", _("Meta order")),
    ("channel", _("Channel")),
    ("placed_at", _("Placed (UTC)")),
    ("status", _("Status")),
    ("reason", _("Reason")),
    ("deadline_at", _("Auto-cancel by Meta (UTC)")),
    ("shopify_order", _("Shopify order")),
    ("order_total", _("Order total")),
    ("currency", _("Currency")),
    ("item", _("Item")),
    ("sku", _("SKU")),
    ("quantity", _("Quantity")),
    ("unit_price", _("Price per unit")),
)
CONTACT_COLUMNS = (
    ("buyer_name", _("Buyer")),
    ("buyer_email", _("Buyer email")),
    ("shipping_address", _("Shipping address")),
)


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    decimal_point: str


SEMICOLON = CsvDialect(delimiter=";", decimal_point=",")
COMMA = CsvDialect(delimiter=",", decimal_point=".")
DIALECTS = {"semicolon": SEMICOLON, "comma": COMMA}
LANGUAGE_DIALECTS = {"nl": "semicolon"}


def csv_dialect_name(*, language: str, choice: str = "") -> str:
    """The merchant's choice if it is one, else what their language's Excel expects."""
    return choice if choice in DIALECTS else LANGUAGE_DIALECTS.get(language, "comma")


def csv_columns(*, with_contact: bool, with_address: bool = True) -> tuple[tuple[str, object], ...]:
    if not with_contact:
        return ORDER_COLUMNS
    return ORDER_COLUMNS + tuple(column for column in CONTACT_COLUMNS if with_address or column[0] != "shipping_address")


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def orders_csv_lines(
    orders: Iterable[SocialOrder], *, language: str, dialect: str, with_contact: bool, with_address: bool = True
) -> Iterator[str]:
    """The CSV, one line at a time: the BOM and the header first, then a row per item line of each order
    (an order without items gets one row)."""
    chosen = DIALECTS[dialect]
    writer = csv.writer(_Line(), delimiter=chosen.delimiter)
    columns = csv_columns(with_contact=with_contact, with_address=with_address)
    with translation.override(language):  # a streamed body is written after the view has returned
        yield BOM + writer.writerow([str(label) for _, label in columns])
        for order in orders:
            for row in _rows(order, decimal_point=chosen.decimal_point):
                yield writer.writerow([csv_cell(row.get(key)) for key, _ in columns])


class _Line:
    """A file for csv.writer whose write() hands the line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


def _rows(order: SocialOrder, *, decimal_point: str) -> Iterator[dict[str, object]]:
    shared = {
        "meta_order_id": order.meta_order_id,
        "channel": CHANNEL_NAMES.get(order.channel, order.channel),
        "placed_at": _when(order.meta_created_at),
        "status": status_label(order.status),
        "reason": reason_text(order.reason),
        "deadline_at": _when(order.deadline_at),
        "shopify_order": order.shopify_order_name,
        "order_total": _amount(order.total_amount, decimal_point),
        "currency": order.currency,
        "buyer_name": order.buyer_name,
        "buyer_email": order.buyer_email,
        "shipping_address": _address_line(order.shipping_address),
    }
    items = [item for item in order.items or [] if isinstance(item, dict)]
    if not items:
        yield shared
    for item in items:
        yield {
            **shared,
            "item": item.get("product_name") or "",
            "sku": item.get("retailer_id") or "",
            "quantity": item.get("quantity"),
            "unit_price": _amount(item.get("price_per_unit"), decimal_point),
        }


def _when(value: datetime | None) -> str:
    """A time Excel reads as one in every locale."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""


def _amount(value: object, decimal_point: str) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return f"{number:.2f}".replace(".", decimal_point)


ADDRESS_PARTS = ("street1", "street2", "postal_code", "city", "state", "country")


def _address_line(address: dict | None) -> str:
    if not isinstance(address, dict):
        return ""
    return ", ".join(str(address[part]) for part in ADDRESS_PARTS if address.get(part))
