"""Typed inputs and results for the remedy operations: draft orders, product variants, discount codes.

Inputs build the 2026-10 GraphQL input objects (`to_input()`); results parse the selections of the
matching documents in ./graphql (`from_node()`). Money stays Decimal; ids stay Shopify GIDs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from orderguard.integrations._time import parse_datetime

VARIANT_GID_PREFIX = "gid://shopify/ProductVariant/"


def variant_gid(numeric_id: str | int) -> str:
    return f"{VARIANT_GID_PREFIX}{numeric_id}"


# Inputs
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailingAddress:
    first_name: str = ""
    last_name: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    province_code: str = ""
    zip: str = ""
    country_code: str = ""
    phone: str = ""
    company: str = ""

    def to_input(self) -> dict:
        # countryCode/provinceCode: `country`/`province` are deprecated in 2026-10.
        names = {
            "first_name": "firstName", "last_name": "lastName", "address1": "address1", "address2": "address2",
            "city": "city", "province_code": "provinceCode", "zip": "zip", "country_code": "countryCode",
            "phone": "phone", "company": "company",
        }
        return {key: getattr(self, attribute) for attribute, key in names.items() if getattr(self, attribute)}


@dataclass(frozen=True)
class AppliedDiscount:
    """An order-level discount on a draft. `value` is a percentage (10 = 10 %) or an amount."""

    value: Decimal
    value_type: str = "PERCENTAGE"  # or FIXED_AMOUNT
    title: str = ""
    description: str = ""

    def to_input(self) -> dict:
        if self.value_type not in ("PERCENTAGE", "FIXED_AMOUNT"):
            raise ValueError(f"Unknown discount value type {self.value_type!r}")
        data: dict[str, Any] = {"value": float(self.value), "valueType": self.value_type}
        if self.title:
            data["title"] = self.title
        if self.description:
            data["description"] = self.description
        return data


@dataclass(frozen=True)
class DraftOrderLine:
    variant_id: str  # a ProductVariant GID
    quantity: int

    def to_input(self) -> dict:
        if self.quantity < 1:
            raise ValueError("A draft order line needs a quantity of at least 1")
        return {"variantId": self.variant_id, "quantity": self.quantity}


@dataclass(frozen=True)
class DraftOrderSpec:
    """What draftOrderCreate gets. `custom_attributes` are (key, value) pairs."""

    lines: tuple[DraftOrderLine, ...]
    email: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()
    custom_attributes: tuple[tuple[str, str], ...] = ()
    shipping_address: MailingAddress | None = None
    applied_discount: AppliedDiscount | None = None
    presentment_currency_code: str = ""
    reserve_inventory_until: datetime | None = None

    def to_input(self) -> dict:
        if not self.lines:
            raise ValueError("A draft order needs at least one line")
        data: dict[str, Any] = {"lineItems": [line.to_input() for line in self.lines]}
        if self.email:
            data["email"] = self.email
        if self.note:
            data["note"] = self.note
        if self.tags:
            data["tags"] = list(self.tags)
        if self.custom_attributes:
            data["customAttributes"] = [{"key": key, "value": value} for key, value in self.custom_attributes]
        if self.shipping_address is not None:
            data["shippingAddress"] = self.shipping_address.to_input()
        if self.applied_discount is not None:
            data["appliedDiscount"] = self.applied_discount.to_input()
        if self.presentment_currency_code:
            data["presentmentCurrencyCode"] = self.presentment_currency_code
        if self.reserve_inventory_until is not None:
            data["reserveInventoryUntil"] = _iso(self.reserve_inventory_until)
        return data


@dataclass(frozen=True)
class DiscountCodeSpec:
    """A basic discount code for everyone (`context: {all: ALL}`), single use by default.

    `percentage` is 0..1 (0.10 = 10 %) or `amount` a fixed amount off; `variant_ids` limits it to those
    variants (else it applies to all items).
    """

    code: str
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    percentage: Decimal | None = None
    amount: Decimal | None = None
    variant_ids: tuple[str, ...] = ()
    usage_limit: int | None = 1
    applies_once_per_customer: bool = True

    def to_input(self) -> dict:
        if (self.percentage is None) == (self.amount is None):
            raise ValueError("A discount code needs exactly one of percentage and amount")
        if self.percentage is not None:
            if not Decimal(0) < self.percentage <= Decimal(1):
                raise ValueError("percentage is a fraction between 0 and 1")
            value: dict = {"percentage": float(self.percentage)}
        else:
            value = {"discountAmount": {"amount": str(self.amount), "appliesOnEachItem": False}}
        items: dict = {"products": {"productVariantsToAdd": list(self.variant_ids)}} if self.variant_ids else {"all": True}
        data: dict[str, Any] = {
            "code": self.code,
            "title": self.title,
            "startsAt": _iso(self.starts_at),
            "context": {"all": "ALL"},  # not the deprecated customerSelection
            "customerGets": {"value": value, "items": items},
            "appliesOncePerCustomer": self.applies_once_per_customer,
            "combinesWith": {"orderDiscounts": False, "productDiscounts": False, "shippingDiscounts": True},
        }
        if self.ends_at is not None:
            data["endsAt"] = _iso(self.ends_at)
        if self.usage_limit is not None:
            data["usageLimit"] = self.usage_limit
        return data


# Results
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftOrderLineItem:
    id: str
    title: str
    sku: str
    quantity: int
    variant_id: str  # empty when the variant was deleted since
    unit_price: Decimal | None

    @classmethod
    def from_node(cls, node: dict) -> DraftOrderLineItem:
        price = _dict(_dict(node.get("originalUnitPriceSet")).get("presentmentMoney"))
        return cls(
            id=_text(node.get("id")),
            title=_text(node.get("title")),
            sku=_text(node.get("sku")),
            quantity=int(node.get("quantity") or 0),
            variant_id=_text(_dict(node.get("variant")).get("id")),
            unit_price=_decimal(price.get("amount")),
        )


@dataclass(frozen=True)
class LinkedOrder:
    """The Shopify order a completed draft became."""

    id: str
    name: str

    @classmethod
    def from_node(cls, node: dict | None) -> LinkedOrder | None:
        return cls(id=_text(node.get("id")), name=_text(node.get("name"))) if isinstance(node, dict) else None


@dataclass(frozen=True)
class DraftOrder:
    id: str
    name: str
    status: str  # OPEN, INVOICE_SENT, COMPLETED
    invoice_url: str
    email: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""
    custom_attributes: tuple[tuple[str, str], ...] = ()
    total: Decimal | None = None
    currency: str = ""
    invoice_sent_at: datetime | None = None
    completed_at: datetime | None = None
    order: LinkedOrder | None = None
    lines: tuple[DraftOrderLineItem, ...] = field(default=())

    @property
    def completed(self) -> bool:
        return self.status == "COMPLETED"

    def attribute(self, key: str) -> str | None:
        return next((value for name, value in self.custom_attributes if name == key), None)

    @classmethod
    def from_node(cls, node: dict) -> DraftOrder:
        total = _dict(_dict(node.get("totalPriceSet")).get("presentmentMoney"))
        return cls(
            id=_text(node.get("id")),
            name=_text(node.get("name")),
            status=_text(node.get("status")),
            invoice_url=_text(node.get("invoiceUrl")),
            email=_text(node.get("email")),
            tags=tuple(str(tag) for tag in node.get("tags") or ()),
            note=_text(node.get("note2")),
            custom_attributes=tuple(
                (_text(a.get("key")), _text(a.get("value"))) for a in node.get("customAttributes") or () if isinstance(a, dict)
            ),
            total=_decimal(total.get("amount")),
            currency=_text(total.get("currencyCode")),
            invoice_sent_at=parse_datetime(node.get("invoiceSentAt")),
            completed_at=parse_datetime(node.get("completedAt")),
            order=LinkedOrder.from_node(node.get("order")),
            lines=tuple(DraftOrderLineItem.from_node(n) for n in _dict(node.get("lineItems")).get("nodes") or () if isinstance(n, dict)),
        )


@dataclass(frozen=True)
class ProductVariant:
    id: str
    legacy_resource_id: str
    sku: str
    title: str
    price: Decimal | None
    available_for_sale: bool
    inventory_quantity: int | None
    product_id: str
    product_title: str
    product_status: str  # ACTIVE, ARCHIVED, DRAFT

    @property
    def display_name(self) -> str:
        return f"{self.product_title} - {self.title}" if self.title and self.title != "Default Title" else self.product_title

    @classmethod
    def from_node(cls, node: dict) -> ProductVariant:
        product = _dict(node.get("product"))
        quantity = node.get("inventoryQuantity")
        return cls(
            id=_text(node.get("id")),
            legacy_resource_id=_text(node.get("legacyResourceId")),
            sku=_text(node.get("sku")),
            title=_text(node.get("title")),
            price=_decimal(node.get("price")),
            available_for_sale=node.get("availableForSale") is True,
            inventory_quantity=int(quantity) if isinstance(quantity, int) else None,
            product_id=_text(product.get("id")),
            product_title=_text(product.get("title")),
            product_status=_text(product.get("status")),
        )


@dataclass(frozen=True)
class DiscountCode:
    id: str
    code: str
    title: str
    status: str
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None

    @classmethod
    def from_node(cls, node: dict) -> DiscountCode:
        basic = _dict(node.get("codeDiscount"))
        codes = _dict(basic.get("codes")).get("nodes") or [{}]
        limit = basic.get("usageLimit")
        return cls(
            id=_text(node.get("id")),
            code=_text(_dict(codes[0]).get("code")),
            title=_text(basic.get("title")),
            status=_text(basic.get("status")),
            starts_at=parse_datetime(basic.get("startsAt")),
            ends_at=parse_datetime(basic.get("endsAt")),
            usage_limit=int(limit) if isinstance(limit, int) else None,
        )


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("times sent to Shopify must be timezone-aware")
    return value.isoformat()


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
