"""The sandbox Admin API for the remedies: draft orders (create, invoice send, read, search by tag),
product variants (nodes by id, productVariants by SKU or free text) and basic discount codes, plus the simulated buyer
who pays a draft's invoice (`draft_order_complete`).

Shopify's behaviour played here: a draft order's lines must name existing variants (userErrors
otherwise); the invoice URL opens a checkout page (sandbox/shopify/checkout.py); paying it marks the draft
COMPLETED, creates a Shopify order with sourceName "shopify_draft_order" linked from `DraftOrder.order`,
and sends the orders/create and draft_orders/update webhooks (the draft now `completed`, with `order_id`). Writes check the shop's granted scopes (write_x implies read_x) and
answer ACCESS_DENIED as Shopify does, since the executor checks scopes for reads only.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime
from decimal import Decimal

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from graphql import GraphQLError

from orderguard.sandbox.meta import shopify_channel
from orderguard.sandbox.models import SandboxShop, SandboxShopifyOrder
from orderguard.sandbox.shopify import webhooks
from orderguard.sandbox.shopify.draft_models import (
    SandboxDiscountCode,
    SandboxDraftOrder,
    SandboxInvoiceEmail,
    SandboxProductVariant,
)
from orderguard.sandbox.shopify.resolvers import _iso, root_field

logger = logging.getLogger(__name__)

FIRST_DRAFT_ID = 1_100_000_000_000
FIRST_DISCOUNT_ID = 1_200_000_000_000
DRAFT_ORDER_SOURCE_NAME = "shopify_draft_order"
DRAFT_GID = re.compile(r"^gid://shopify/DraftOrder/(\d+)$")
VARIANT_GID = re.compile(r"^gid://shopify/ProductVariant/(\d+)$")


class DraftCheckoutError(Exception):
    """The simulated buyer cannot pay this draft (a variant is gone, or the draft is not open)."""


# Scopes
# ------------------------------------------------------------------------------------------------------


def _require_scope(shop: SandboxShop, *alternatives: str) -> None:
    granted = {scope.strip() for scope in shop.granted_scopes.split(",") if scope.strip()}
    granted |= {scope.replace("write_", "read_", 1) for scope in granted if scope.startswith("write_")}
    if not granted & set(alternatives):
        raise GraphQLError(
            f"Access denied. Required access: {' or '.join(alternatives)} access scope.",
            extensions={"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes"},
        )


# Draft orders
# ------------------------------------------------------------------------------------------------------


@root_field("draftOrderCreate")
def draft_order_create(shop: SandboxShop, input: dict) -> dict:
    _require_scope(shop, "write_draft_orders", "write_quick_sale")
    lines, errors = _draft_lines(shop, input.get("lineItems") or [])
    if input.get("appliedDiscount") and float(input["appliedDiscount"].get("value") or 0) < 0:
        errors.append(_user_error(["appliedDiscount", "value"], "Value must be greater than or equal to 0"))
    if errors:
        return {"__typename": "DraftOrderCreatePayload", "draftOrder": None, "userErrors": errors}
    now = timezone.now()
    with transaction.atomic(using="sandbox"):
        numeric_id = (SandboxDraftOrder.objects.aggregate(m=Max("numeric_id"))["m"] or FIRST_DRAFT_ID - 1) + 1
        number = (shop.draft_orders.aggregate(m=Max("number"))["m"] or 0) + 1
        draft = SandboxDraftOrder.objects.create(
            shop=shop,
            numeric_id=numeric_id,
            number=number,
            invoice_token=secrets.token_hex(16),
            email=input.get("email") or "",
            note=input.get("note") or "",
            tags=sorted({str(tag).strip() for tag in input.get("tags") or () if str(tag).strip()}),
            custom_attributes=[{"key": a["key"], "value": a.get("value") or ""} for a in input.get("customAttributes") or ()],
            shipping_address=dict(input.get("shippingAddress") or {}),
            applied_discount=dict(input["appliedDiscount"]) if input.get("appliedDiscount") else None,
            line_items=lines,
            currency_code=input.get("presentmentCurrencyCode") or shop.currency_code,
            created_at=now,
            updated_at=now,
        )
    return {"__typename": "DraftOrderCreatePayload", "draftOrder": draft_order_node(draft), "userErrors": []}


def _draft_lines(shop: SandboxShop, items: list[dict]) -> tuple[list[dict], list[dict]]:
    if not items:
        return [], [_user_error(["lineItems"], "Add at least 1 product")]
    lines, errors = [], []
    for index, item in enumerate(items):
        match = VARIANT_GID.match(str(item.get("variantId") or ""))
        variant = shop.variants.filter(numeric_id=int(match.group(1))).first() if match else None
        if variant is None:
            errors.append(_user_error(["lineItems", str(index), "variantId"], "Product variant is invalid"))
            continue
        if int(item.get("quantity") or 0) < 1:
            errors.append(_user_error(["lineItems", str(index), "quantity"], "Quantity must be greater than or equal to 1"))
            continue
        lines.append({
            "variant_id": variant.numeric_id,
            "title": variant.product_title,
            "sku": variant.sku,
            "quantity": int(item["quantity"]),
            "price": str(variant.price),
        })
    return lines, errors


@root_field("draftOrderInvoiceSend")
def draft_order_invoice_send(shop: SandboxShop, id: str, email: dict | None = None) -> dict:
    _require_scope(shop, "write_draft_orders")
    draft = _draft(shop, id)
    email = email or {}
    to = email.get("to") or (draft.email if draft else "")
    if draft is None:
        errors = [_user_error(["id"], "Draft order not found")]
    elif draft.status == SandboxDraftOrder.Status.COMPLETED:
        errors = [_user_error(["id"], "Draft order has been paid and cannot be invoiced")]
    elif not to:
        errors = [_user_error(["email", "to"], "To can't be blank")]
    else:
        errors = []
    if errors:
        return {"__typename": "DraftOrderInvoiceSendPayload", "draftOrder": None, "userErrors": errors}
    now = timezone.now()
    SandboxInvoiceEmail.objects.create(
        draft_order=draft,
        to=to,
        sender=email.get("from") or shop.email or f"store@{shop.domain}",
        subject=email.get("subject") or f"Complete your purchase from {shop.name}",
        custom_message=email.get("customMessage") or "",
        invoice_url=invoice_url(draft),
        sent_at=now,
    )
    draft.status, draft.invoice_sent_at, draft.updated_at = SandboxDraftOrder.Status.INVOICE_SENT, now, now
    draft.save(update_fields=["status", "invoice_sent_at", "updated_at"])
    return {"__typename": "DraftOrderInvoiceSendPayload", "draftOrder": draft_order_node(draft), "userErrors": []}


@root_field("draftOrder")
def draft_order(shop: SandboxShop, id: str) -> dict | None:
    draft = _draft(shop, id)
    return draft_order_node(draft) if draft else None


@root_field("draftOrders")
def draft_orders(shop: SandboxShop, first=None, last=None, query=None, **_ignored) -> dict:
    """draftOrders(first|last, query) with the `tag:` and `status:` filters; other terms are ignored."""
    if (first is None) == (last is None):
        raise GraphQLError("you must provide one of first or last")
    rows = list(shop.draft_orders.order_by("numeric_id"))
    for field, value in re.findall(r'(\w+):("(?:[^"\\]|\\.)*"|\S+)', query or ""):
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\") if value.startswith('"') else value
        if field == "tag":
            rows = [draft for draft in rows if value.lower() in (tag.lower() for tag in draft.tags)]
        elif field == "status":
            rows = [draft for draft in rows if draft.status.lower() == value.lower()]
    rows = rows[:first] if first is not None else rows[-last:]
    nodes = [draft_order_node(draft) for draft in rows]
    return {
        "__typename": "DraftOrderConnection",
        "nodes": nodes,
        "pageInfo": {"__typename": "PageInfo", "hasNextPage": False, "hasPreviousPage": False},
    }


def _draft(shop: SandboxShop, gid: str) -> SandboxDraftOrder | None:
    match = DRAFT_GID.match(str(gid))
    return shop.draft_orders.select_related("order").filter(numeric_id=int(match.group(1))).first() if match else None


def invoice_url(draft: SandboxDraftOrder) -> str:
    """Shopify's https://<shop>/<shop id>/invoices/<token>, on the sandbox's shop origin."""
    return f"{settings.SHOPIFY_API_BASE_URL}/{draft.shop.domain}/{draft.shop.numeric_id}/invoices/{draft.invoice_token}"


def draft_order_node(draft: SandboxDraftOrder) -> dict:
    subtotal = sum((Decimal(line["price"]) * line["quantity"] for line in draft.line_items), Decimal(0))
    discount = _discount_amount(draft.applied_discount, subtotal)
    total = max(subtotal - discount, Decimal(0))
    order = draft.order
    return {
        "__typename": "DraftOrder",
        "id": draft.gid,
        "legacyResourceId": str(draft.numeric_id),
        "name": draft.name,
        "status": draft.status,
        "ready": True,
        "invoiceUrl": invoice_url(draft),
        "email": draft.email or None,
        "tags": list(draft.tags),
        "note2": draft.note or None,
        "customAttributes": [{"__typename": "Attribute", **attribute} for attribute in draft.custom_attributes],
        "presentmentCurrencyCode": draft.currency_code,
        "createdAt": _iso(draft.created_at),
        "updatedAt": _iso(draft.updated_at),
        "invoiceSentAt": _iso(draft.invoice_sent_at) if draft.invoice_sent_at else None,
        "completedAt": _iso(draft.completed_at) if draft.completed_at else None,
        "totalPriceSet": _money_bag(total, draft.currency_code),
        "lineItems": {
            "__typename": "DraftOrderLineItemConnection",
            "nodes": [_line_node(draft, index, line) for index, line in enumerate(draft.line_items)],
        },
        "order": {"__typename": "Order", "id": order.gid, "name": order.name} if order else None,
        "warnings": [],
    }


def _line_node(draft: SandboxDraftOrder, index: int, line: dict) -> dict:
    exists = draft.shop.variants.filter(numeric_id=line["variant_id"]).exists()
    return {
        "__typename": "DraftOrderLineItem",
        "id": f"gid://shopify/DraftOrderLineItem/{draft.numeric_id}{index:03d}",
        "title": line["title"],
        "sku": line["sku"] or None,
        "quantity": line["quantity"],
        "variant": {"__typename": "ProductVariant", "id": f"gid://shopify/ProductVariant/{line['variant_id']}", "legacyResourceId": str(line["variant_id"])} if exists else None,
        "originalUnitPriceSet": _money_bag(Decimal(line["price"]), draft.currency_code),
    }


def _discount_amount(discount: dict | None, subtotal: Decimal) -> Decimal:
    if not discount:
        return Decimal(0)
    value = Decimal(str(discount.get("value") or 0))
    if discount.get("valueType") == "PERCENTAGE":
        return (subtotal * value / 100).quantize(Decimal("0.01"))
    return value


def _money_bag(amount: Decimal, currency: str) -> dict:
    money = {"__typename": "MoneyV2", "amount": f"{amount:.2f}", "currencyCode": currency}
    return {"__typename": "MoneyBag", "shopMoney": money, "presentmentMoney": dict(money)}


def _user_error(field: list[str], message: str) -> dict:
    return {"__typename": "UserError", "field": field, "message": message}


# Product variants
# ------------------------------------------------------------------------------------------------------


@root_field("nodes")
def nodes(shop: SandboxShop, ids: list[str]) -> list[dict | None]:
    """Only ProductVariant ids resolve (what OrderGuard asks for); anything else is null, as a missing node."""
    if len(ids) > 250:
        raise GraphQLError("The input array size of 251 is greater than the maximum allowed of 250.")
    if any(VARIANT_GID.match(str(gid)) for gid in ids):
        _require_scope(shop, "read_products")
    by_id = {variant.numeric_id: variant for variant in shop.variants.all()}
    found = []
    for gid in ids:
        match = VARIANT_GID.match(str(gid))
        variant = by_id.get(int(match.group(1))) if match else None
        found.append(variant_node(variant) if variant else None)
    return found


@root_field("productVariants")
def product_variants(shop: SandboxShop, first=None, last=None, query=None, **_ignored) -> dict:
    """productVariants(first|last, query): `sku:` (exact; Shopify's search ignores case, so does this; a
    trailing `*` is a prefix), `id:`, `product_id:`, and free-text terms (bare or quoted, with `\\"` and
    `\\\\` escapes) matched as case-insensitive substrings of the variant's title, its product's title or
    its SKU. Every term must match (AND, Shopify's default); a quoted term is one term whatever it holds."""
    if (first is None) == (last is None):
        raise GraphQLError("you must provide one of first or last")
    rows = list(shop.variants.order_by("numeric_id"))
    for field, value in variant_search_terms(query or ""):
        rows = [variant for variant in rows if _variant_matches(variant, field, value)]
    rows = rows[:first] if first is not None else rows[-last:]
    return {
        "__typename": "ProductVariantConnection",
        "nodes": [variant_node(variant) for variant in rows],
        "pageInfo": {"__typename": "PageInfo", "hasNextPage": False, "hasPreviousPage": False},
    }


# A term: an optional `field:` and a value, quoted (escapes allowed) or bare.
_VARIANT_TERM = re.compile(r'(?:(\w+):)?("(?:[^"\\]|\\.)*"?|\S+)')


def variant_search_terms(query: str) -> list[tuple[str, str]]:
    """(field or "", value) per term; the connective AND is implied and skipped."""
    terms = []
    for match in _VARIANT_TERM.finditer(query):
        field, value = (match.group(1) or "").lower(), match.group(2)
        if not field and value == "AND":
            continue
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1] if len(value) > 1 and value.endswith('"') else value[1:])
        terms.append((field, value))
    return terms


def _variant_matches(variant: SandboxProductVariant, field: str, value: str) -> bool:
    wanted = value.lower()
    if field == "sku":
        sku = variant.sku.lower()
        return sku.startswith(wanted[:-1]) if wanted.endswith("*") else sku == wanted
    if field in ("id", "product_id"):
        return str(variant.numeric_id if field == "id" else variant.product_numeric_id) == value
    if field:
        return True  # a filter the sandbox does not play: Shopify would apply it; here it keeps every row
    return any(wanted in text.lower() for text in (variant.title, variant.product_title, variant.sku))


def variant_node(variant: SandboxProductVariant) -> dict:
    return {
        "__typename": "ProductVariant",
        "id": variant.gid,
        "legacyResourceId": str(variant.numeric_id),
        "sku": variant.sku or None,
        "title": variant.title,
        "displayName": f"{variant.product_title} - {variant.title}",
        "price": f"{variant.price:.2f}",
        "availableForSale": variant.product_status == "ACTIVE" and variant.inventory_quantity > 0,
        "inventoryQuantity": variant.inventory_quantity,
        "product": {
            "__typename": "Product",
            "id": f"gid://shopify/Product/{variant.product_numeric_id}",
            "legacyResourceId": str(variant.product_numeric_id),
            "title": variant.product_title,
            "status": variant.product_status,
        },
    }


# Discount codes
# ------------------------------------------------------------------------------------------------------


@root_field("discountCodeBasicCreate")
def discount_code_basic_create(shop: SandboxShop, basicCodeDiscount: dict) -> dict:
    _require_scope(shop, "write_discounts")
    spec = basicCodeDiscount
    errors = []
    for field in ("code", "title", "startsAt", "customerGets"):
        if not spec.get(field):
            errors.append({"__typename": "DiscountUserError", "field": ["basicCodeDiscount", field], "code": "BLANK", "message": f"{field} can't be blank", "extraInfo": None})
    if spec.get("code") and shop.discount_codes.filter(code__iexact=spec["code"]).exists():
        errors.append({"__typename": "DiscountUserError", "field": ["basicCodeDiscount", "code"], "code": "TAKEN", "message": "Code must be unique. Please try a different code.", "extraInfo": None})
    if errors:
        return {"__typename": "DiscountCodeBasicCreatePayload", "codeDiscountNode": None, "userErrors": errors}
    with transaction.atomic(using="sandbox"):
        numeric_id = (SandboxDiscountCode.objects.aggregate(m=Max("numeric_id"))["m"] or FIRST_DISCOUNT_ID - 1) + 1
        discount = SandboxDiscountCode.objects.create(
            shop=shop,
            numeric_id=numeric_id,
            code=spec["code"],
            title=spec["title"],
            starts_at=spec["startsAt"] if isinstance(spec["startsAt"], datetime) else datetime.fromisoformat(str(spec["startsAt"]).replace("Z", "+00:00")),
            ends_at=_time_or_none(spec.get("endsAt")),
            usage_limit=spec.get("usageLimit"),
            applies_once_per_customer=bool(spec.get("appliesOncePerCustomer")),
            customer_gets=_plain(spec["customerGets"]),
        )
    return {"__typename": "DiscountCodeBasicCreatePayload", "codeDiscountNode": discount_node(discount), "userErrors": []}


@root_field("codeDiscountNodeByCode")
def code_discount_node_by_code(shop: SandboxShop, code: str) -> dict | None:
    discount = shop.discount_codes.filter(code__iexact=code).first()
    return discount_node(discount) if discount else None


def discount_node(discount: SandboxDiscountCode) -> dict:
    now = timezone.now()
    status = "SCHEDULED" if discount.starts_at > now else "EXPIRED" if discount.ends_at and discount.ends_at <= now else "ACTIVE"
    return {
        "__typename": "DiscountCodeNode",
        "id": discount.gid,
        "codeDiscount": {
            "__typename": "DiscountCodeBasic",
            "title": discount.title,
            "status": status,
            "startsAt": _iso(discount.starts_at),
            "endsAt": _iso(discount.ends_at) if discount.ends_at else None,
            "usageLimit": discount.usage_limit,
            "appliesOncePerCustomer": discount.applies_once_per_customer,
            "asyncUsageCount": 0,
            "codes": {"__typename": "DiscountRedeemCodeConnection", "nodes": [{"__typename": "DiscountRedeemCode", "code": discount.code}]},
        },
    }


def _time_or_none(value) -> datetime | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _plain(value):
    """Coerced GraphQL input as JSON (enum values and floats stay; anything else becomes a string)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


# The simulated buyer
# ------------------------------------------------------------------------------------------------------


def draft_order_complete(*, draft: SandboxDraftOrder, notify: bool = True) -> SandboxShopifyOrder:
    """The buyer paid the invoice: the draft becomes a paid order (once; paying again changes nothing)."""
    with transaction.atomic(using="sandbox"):
        locked = SandboxDraftOrder.objects.select_for_update().select_related("shop", "order").get(pk=draft.pk)
        if locked.order is not None:
            return locked.order
        missing = [line["title"] for line in locked.line_items if not locked.shop.variants.filter(numeric_id=line["variant_id"]).exists()]
        if missing:
            raise DraftCheckoutError(f"No longer available: {', '.join(missing)}")
        now = timezone.now()
        numeric_id, number = shopify_channel.next_numbers(locked.shop)
        total = Decimal(draft_order_node(locked)["totalPriceSet"]["shopMoney"]["amount"])
        order = SandboxShopifyOrder.objects.create(
            shop=locked.shop,
            numeric_id=numeric_id,
            order_number=number,
            name=f"#{number}",
            created_at=now,
            updated_at=now,
            source_name=DRAFT_ORDER_SOURCE_NAME,
            # Whether Shopify copies a draft's tags and attributes onto its order is unconfirmed; the
            # sandbox copies them, and DraftOrder.order stays the authoritative link.
            note=locked.note,
            tags=list(locked.tags),
            custom_attributes=list(locked.custom_attributes),
            financial_status="PAID",
            fulfillment_status="UNFULFILLED",
            total_amount=total,
            currency_code=locked.currency_code,
        )
        locked.status, locked.completed_at, locked.updated_at, locked.order = SandboxDraftOrder.Status.COMPLETED, now, now, order
        locked.save(update_fields=["status", "completed_at", "updated_at", "order"])
    if notify:
        _send_orders_create(order)
        _send_draft_orders_update(locked)
    return order


def _send_orders_create(order: SandboxShopifyOrder) -> None:
    send_orders_create(order)


def send_orders_create(order: SandboxShopifyOrder, *, discount_codes: list[dict] | None = None) -> None:
    """orders/create for a sandbox order (a paid draft, or a cart permalink's checkout with its codes)."""
    payload = webhooks.for_shop(webhooks.example_payload("orders/create"), order.shop.domain)
    payload.update({
        "id": order.numeric_id,
        "admin_graphql_api_id": order.gid,
        "name": order.name,
        "number": order.order_number,
        "order_number": order.order_number,
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
        "source_name": order.source_name,
        "source_identifier": None,
        "tags": ", ".join(order.tags),
        "note": order.note,
        "note_attributes": [{"name": a["key"], "value": a.get("value")} for a in order.custom_attributes],
        "financial_status": "paid",
        "currency": order.currency_code,
        "total_price": f"{order.total_amount:.2f}",
        "discount_codes": list(discount_codes or []),
    })
    _deliver("orders/create", order.shop.domain, payload)


def _send_draft_orders_update(draft: SandboxDraftOrder) -> None:
    """Shopify's REST-shaped draft order, as draft_orders/update carries it."""
    node = draft_order_node(draft)
    payload = webhooks.for_shop(webhooks.example_payload("draft_orders/update"), draft.shop.domain)
    payload.update({
        "id": draft.numeric_id,
        "admin_graphql_api_id": draft.gid,
        "name": draft.name,
        "email": draft.email or None,
        "note": draft.note or None,
        "status": draft.status.lower(),
        "currency": draft.currency_code,
        "created_at": draft.created_at.isoformat(),
        "updated_at": draft.updated_at.isoformat(),
        "invoice_sent_at": draft.invoice_sent_at.isoformat() if draft.invoice_sent_at else None,
        "completed_at": draft.completed_at.isoformat() if draft.completed_at else None,
        "invoice_url": node["invoiceUrl"],
        "order_id": draft.order.numeric_id if draft.order else None,
        "tags": ", ".join(draft.tags),
        "note_attributes": [{"name": a["key"], "value": a.get("value")} for a in draft.custom_attributes],
        "total_price": node["totalPriceSet"]["shopMoney"]["amount"],
        "line_items": [],
        "applied_discount": None,
        "customer": None,
        "shipping_address": None,
        "billing_address": None,
    })
    _deliver("draft_orders/update", draft.shop.domain, payload)


def _deliver(topic: str, shop_domain: str, payload: dict) -> None:
    signed = webhooks.sign(topic=topic, shop_domain=shop_domain, payload=payload)
    try:
        webhooks.deliver(signed)
    except httpx.HTTPError as error:
        # Shopify retries failed deliveries for hours; the sandbox logs and moves on (the draft read still tells).
        logger.warning("Sandbox %s for %s not delivered: %s", topic, shop_domain, type(error).__name__)
