"""Typed results parsed from Graph API responses: frozen dataclasses, each with `from_api(dict)`.

Parsing rules that hold everywhere:
- Meta ids stay strings. They look numeric, but their length may change and a float would round them.
- Money (`{"amount": "5.5", "currency": "USD"}`) becomes Decimal plus a currency code, never float.
- Timestamps become aware datetimes: ISO-8601 strings like "2026-11-27T10:00:00+0000", or unix seconds
  in /debug_token where 0 means "never".
- Missing fields become empty values, so a narrower `fields=` selection still parses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from orderguard.integrations._time import parse_datetime


@dataclass(frozen=True)
class MetaOrderItem:
    id: str
    retailer_id: str
    product_id: str
    product_name: str
    quantity: int
    price_per_unit: Decimal | None
    currency: str
    # From the item's `status` breakdown ({"in_progress": 0, "fulfilled": 1, "cancelled": 1}); None when
    # `status` was not requested or not returned, so "not cancelled" is never guessed.
    cancelled_quantity: int | None
    fulfilled_quantity: int | None = None

    @property
    def fully_cancelled(self) -> bool:
        return self.cancelled_quantity is not None and self.quantity > 0 and self.cancelled_quantity >= self.quantity

    @classmethod
    def from_api(cls, data: dict) -> MetaOrderItem:
        amount, currency = _money(data.get("price_per_unit"))
        status = data.get("status")
        status = status if isinstance(status, dict) else None
        return cls(
            id=_id(data.get("id")),
            retailer_id=_text(data.get("retailer_id")),
            product_id=_id(data.get("product_id")),
            product_name=_text(data.get("product_name")),
            quantity=_int(data.get("quantity")),
            price_per_unit=amount,
            currency=currency,
            cancelled_quantity=_int(status.get("cancelled")) if status is not None else None,
            fulfilled_quantity=_int(status.get("fulfilled")) if status is not None else None,
        )


@dataclass(frozen=True)
class MetaOrderAmounts:
    """`estimated_payment_details` as Meta gives it: what the buyer was shown at checkout (None when absent).
    Meta only authorises this amount; it is captured when the order ships."""

    items: Decimal | None = None
    shipping: Decimal | None = None
    tax: Decimal | None = None
    total: Decimal | None = None

    @classmethod
    def from_api(cls, data: dict) -> MetaOrderAmounts:
        subtotal = _dict(data.get("subtotal"))
        return cls(
            items=_money(subtotal.get("items"))[0],
            shipping=_money(subtotal.get("shipping"))[0],
            tax=_money(data.get("tax"))[0],
            total=_money(data.get("total_amount"))[0],
        )


@dataclass(frozen=True)
class MetaOrder:
    id: str
    state: str
    created: datetime | None
    last_updated: datetime | None
    channel: str
    merchant_order_id: str
    ship_by_date: date | None
    is_test_order: bool
    buyer_name: str
    buyer_email: str
    email_remarketing_option: bool | None
    shipping_address: dict[str, Any]
    total_amount: Decimal | None
    currency: str
    items: tuple[MetaOrderItem, ...]
    amounts: MetaOrderAmounts = MetaOrderAmounts()
    # True when the nested `items` edge said there is another page (the client then fetches the rest).
    has_more_items: bool = False

    @property
    def fully_cancelled(self) -> bool:
        """Every line item is cancelled on Meta's side (needs `items{...,status}` in the fields)."""
        return bool(self.items) and not self.has_more_items and all(item.fully_cancelled for item in self.items)

    @classmethod
    def from_api(cls, data: dict) -> MetaOrder:
        buyer = _dict(data.get("buyer_details"))
        payment = _dict(data.get("estimated_payment_details"))
        total, currency = _money(payment.get("total_amount"))
        items_edge = _dict(data.get("items"))
        remarketing = buyer.get("email_remarketing_option")
        return cls(
            id=_id(data.get("id")),
            state=_text(_dict(data.get("order_status")).get("state")),
            created=parse_datetime(data.get("created")),
            last_updated=parse_datetime(data.get("last_updated")),
            channel=_text(data.get("channel")),
            merchant_order_id=_text(data.get("merchant_order_id")),
            ship_by_date=_date(data.get("ship_by_date")),
            is_test_order=data.get("is_test_order") is True,
            buyer_name=_text(buyer.get("name")),
            buyer_email=_text(buyer.get("email")),
            email_remarketing_option=remarketing if isinstance(remarketing, bool) else None,
            shipping_address=dict(_dict(data.get("shipping_address"))),
            total_amount=total,
            currency=currency,
            items=tuple(MetaOrderItem.from_api(item) for item in _dicts(items_edge.get("data"))),
            amounts=MetaOrderAmounts.from_api(payment),
            has_more_items=bool(_dict(items_edge.get("paging")).get("next")),
        )


@dataclass(frozen=True)
class MetaApp:
    """An app registered in /{cms-id}/order_management_apps (e.g. Shopify's)."""

    id: str
    name: str

    @classmethod
    def from_api(cls, data: dict) -> MetaApp:
        return cls(id=_id(data.get("id")), name=_text(data.get("name")))


@dataclass(frozen=True)
class GranularScope:
    scope: str
    target_ids: tuple[str, ...]

    @classmethod
    def from_api(cls, data: dict) -> GranularScope:
        targets = tuple(_id(target) for target in data.get("target_ids") or ())
        return cls(scope=_text(data.get("scope")), target_ids=targets)


@dataclass(frozen=True)
class TokenInfo:
    """The `data` of /debug_token. `expires_at` is None for a token that never expires (Meta sends 0)."""

    app_id: str
    type: str
    application: str
    is_valid: bool
    expires_at: datetime | None
    data_access_expires_at: datetime | None
    issued_at: datetime | None
    scopes: tuple[str, ...]
    granular_scopes: tuple[GranularScope, ...]
    user_id: str
    profile_id: str
    error: dict[str, Any] | None

    def targets_for(self, scope: str) -> tuple[str, ...]:
        """The object ids (Pages, commerce accounts) a scope was granted for; empty means not restricted."""
        for granular in self.granular_scopes:
            if granular.scope == scope:
                return granular.target_ids
        return ()

    @classmethod
    def from_api(cls, data: dict) -> TokenInfo:
        error = data.get("error")
        return cls(
            app_id=_id(data.get("app_id")),
            type=_text(data.get("type")),
            application=_text(data.get("application")),
            is_valid=data.get("is_valid") is True,
            expires_at=_timestamp(data.get("expires_at")),
            data_access_expires_at=_timestamp(data.get("data_access_expires_at")),
            issued_at=_timestamp(data.get("issued_at")),
            scopes=tuple(str(scope) for scope in data.get("scopes") or ()),
            granular_scopes=tuple(GranularScope.from_api(entry) for entry in _dicts(data.get("granular_scopes"))),
            user_id=_id(data.get("user_id")),
            profile_id=_id(data.get("profile_id")),
            error=dict(error) if isinstance(error, dict) else None,
        )


@dataclass(frozen=True)
class SetupStatus:
    """One entry of /{cms-id}/setup_status: whether the shop, its payments and its review are in order."""

    shop_setup: str
    payment_setup: str
    review_status: str
    review_reasons: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: dict) -> SetupStatus:
        review = _dict(data.get("review_status"))
        reasons = tuple(_text(_dict(reason).get("message")) for reason in review.get("reasons") or ())
        return cls(
            shop_setup=_text(data.get("shop_setup")),
            payment_setup=_text(data.get("payment_setup")),
            review_status=_text(review.get("status")),
            review_reasons=reasons,
        )


@dataclass(frozen=True)
class MetaPage:
    """A Page the user manages (/me/accounts), with its Page access token (kept out of repr)."""

    id: str
    name: str
    access_token: str = field(repr=False)
    tasks: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: dict) -> MetaPage:
        return cls(
            id=_id(data.get("id")),
            name=_text(data.get("name")),
            access_token=_text(data.get("access_token")),
            tasks=tuple(str(task) for task in data.get("tasks") or ()),
        )


@dataclass(frozen=True)
class CommerceAccount:
    """A commerce merchant settings object (the "CMS", Meta's commerce account for a shop)."""

    id: str
    display_name: str
    merchant_page_id: str = ""
    merchant_page_name: str = ""
    merchant_status: str = ""

    @property
    def name(self) -> str:
        return self.display_name

    @classmethod
    def from_api(cls, data: dict) -> CommerceAccount:
        page = _dict(data.get("merchant_page"))
        return cls(
            id=_id(data.get("id")),
            display_name=_text(data.get("display_name")),
            merchant_page_id=_id(page.get("id")),
            merchant_page_name=_text(page.get("name")),
            merchant_status=_text(data.get("merchant_status")),
        )


def _timestamp(value: Any) -> datetime | None:
    seconds = _int(value)
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds > 0 else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _money(value: Any) -> tuple[Decimal | None, str]:
    money = _dict(value)
    amount = money.get("amount")
    currency = _text(money.get("currency"))
    if amount is None or isinstance(amount, bool):
        return None, currency
    try:
        return Decimal(str(amount)), currency
    except InvalidOperation:
        return None, currency


def _id(value: Any) -> str:
    return "" if value is None else str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


@dataclass(frozen=True)
class CancelledItem:
    item_id: str
    retailer_id: str
    quantity: int


@dataclass(frozen=True)
class MetaCancellation:
    """One entry of /{order-id}/cancellations (by the merchant, the buyer or Meta)."""

    id: str
    reason_code: str
    reason_description: str
    restock_items: bool
    # Empty when Meta did not list items (the whole order).
    items: tuple[CancelledItem, ...]

    @classmethod
    def from_api(cls, data: dict) -> MetaCancellation:
        reason = _dict(data.get("cancel_reason"))
        raw_items = data.get("items")
        entries = _dicts(raw_items.get("data") if isinstance(raw_items, dict) else raw_items)
        return cls(
            id=_id(data.get("id")),
            reason_code=_text(reason.get("reason_code")),
            reason_description=_text(reason.get("reason_description")),
            restock_items=data.get("restock_items") is True,
            items=tuple(CancelledItem(_id(e.get("id")), _text(e.get("retailer_id")), _int(e.get("quantity"))) for e in entries),
        )


@dataclass(frozen=True)
class CancelResult:
    """Meta's answer to POST /{order-id}/cancellations, with the idempotency key that was sent."""

    success: bool
    idempotency_key: str
