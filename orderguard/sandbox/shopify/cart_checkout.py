"""The simulated buyer who opens a cart permalink (`https://<storefront>/cart/<variant>:<qty>,...?discount=
CODE&attributes[key]=value`) and checks out: an ordinary paid order (sourceName "web") with the code
applied and counted (a code at its usage limit is refused, as Shopify's checkout refuses it), the cart
attributes as note attributes, and the signed orders/create webhook, as `draft_order_complete` does for
a draft's invoice."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from orderguard.sandbox.meta import shopify_channel
from orderguard.sandbox.models import SandboxShop, SandboxShopifyOrder
from orderguard.sandbox.shopify import drafts
from orderguard.sandbox.shopify.draft_models import SandboxDiscountCode

CART_PATH = re.compile(r"^/cart/((?:\d+:\d+)(?:,\d+:\d+)*)$")
ATTRIBUTE = re.compile(r"^attributes\[(.+)\]$")


class CartCheckoutError(Exception):
    """The permalink cannot be checked out (unknown variant, a code used up or unknown)."""


def cart_permalink_checkout(*, shop: SandboxShop, url: str, notify: bool = True) -> SandboxShopifyOrder:
    parts = urlsplit(url)
    found = CART_PATH.match(parts.path)
    if not found:
        raise CartCheckoutError("Not a cart permalink")
    query = parse_qsl(parts.query)
    code = next((value for key, value in query if key == "discount"), "")
    attributes = [{"key": ATTRIBUTE.match(key).group(1), "value": value} for key, value in query if ATTRIBUTE.match(key)]
    lines = []
    for pair in found.group(1).split(","):
        variant_id, quantity = (int(part) for part in pair.split(":"))
        variant = shop.variants.filter(numeric_id=variant_id).first()
        if variant is None or quantity < 1:
            raise CartCheckoutError(f"No longer available: variant {variant_id}")
        lines.append((variant, quantity))
    subtotal = sum((variant.price * quantity for variant, quantity in lines), Decimal(0))
    with transaction.atomic(using="sandbox"):
        discount_amount, used = Decimal(0), []
        if code:
            discount = SandboxDiscountCode.objects.select_for_update().filter(shop=shop, code__iexact=code).first()
            if discount is None:
                raise CartCheckoutError(f"Enter a valid discount code: {code}")
            if discount.usage_limit is not None and discount.times_used >= discount.usage_limit:
                raise CartCheckoutError(f"Discount code {code} has reached its usage limit")
            value = (discount.customer_gets or {}).get("value") or {}
            if "percentage" in value:
                discount_amount = (subtotal * Decimal(str(value["percentage"]))).quantize(Decimal("0.01"))
            else:
                discount_amount = min(subtotal, Decimal(str((value.get("discountAmount") or {}).get("amount") or 0)))
            SandboxDiscountCode.objects.filter(pk=discount.pk).update(times_used=F("times_used") + 1)
            used = [{"code": discount.code, "amount": f"{discount_amount:.2f}", "type": "percentage" if "percentage" in value else "fixed_amount"}]
        now = timezone.now()
        numeric_id, number = shopify_channel.next_numbers(shop)
        order = SandboxShopifyOrder.objects.create(
            shop=shop, numeric_id=numeric_id, order_number=number, name=f"#{number}", created_at=now, updated_at=now,
            source_name="web", note="", tags=[], custom_attributes=attributes, financial_status="PAID",
            fulfillment_status="UNFULFILLED", total_amount=subtotal - discount_amount, currency_code=shop.currency_code,
        )
    if notify:
        drafts.send_orders_create(order, discount_codes=used)
    return order
