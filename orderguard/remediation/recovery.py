"""Recovery: the buyer of a stuck order paid the store link a cancel-and-link remedy sent (a draft order),
so the sale was not lost after all.

Shopify has no "draft order completed" webhook. Two deliveries tell it, in either order or both:
- draft_orders/update with `status: "completed"` and the `order_id` it became: matched to the remedy by
  the draft order's id in the action's result (`draft_order_id`), else by the Meta order the draft's tags
  or attributes name;
- orders/create of an order whose `source_name` is `shopify_draft_order` and whose tags or note
  attributes name the Meta order (the draft's tag and custom attribute, copied onto its order).
The stuck order is marked recovered by one conditional update (only while it is not yet), so it counts
once however many deliveries arrive; a later delivery only fills in the order's name if the first did
not carry it.

A cart permalink (cart_link.py) makes an ordinary order at the buyer's checkout: orders/create with the
action's single-use code in `discount_codes`, or the cart attribute `orderguard_meta_order_id` in
`note_attributes`, recovers the order the same way, once.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from orderguard.orders.events import order_remedy_event
from orderguard.orders.models import SocialOrder
from orderguard.remediation.models import RemediationAction
from orderguard.shops.models import Shop

DRAFT_ORDER_SOURCE_NAME = "shopify_draft_order"
CART_ATTRIBUTE = "orderguard_meta_order_id"  # cancel_and_link.META_ORDER_ATTRIBUTE, set on the cart permalink
# Meta order ids are long decimal strings; a shorter number in a tag is not one.
META_ID = re.compile(r"(?<!\d)(\d{10,32})(?!\d)")


def draft_order_updated(*, shop_domain: str, payload: dict) -> str:
    """draft_orders/update: a completed draft of a remedy recovers its stuck order."""
    shop = Shop.objects.filter(domain=shop_domain, status=Shop.Status.ACTIVE).first()
    if shop is None:
        return "ignored: shop not installed"
    if str(payload.get("status") or "").lower() != "completed" or not payload.get("order_id"):
        return "ignored: draft not completed"
    draft_gid = str(payload.get("admin_graphql_api_id") or f"gid://shopify/DraftOrder/{payload.get('id')}")
    order = _order_of_draft(shop=shop, draft_gid=draft_gid) or _order_named(shop=shop, payload=payload)
    if order is None:
        return "ignored: not an OrderGuard store link"
    recorded = order_recovery_record(
        order=order, shopify_order_id=f"gid://shopify/Order/{payload['order_id']}", name="",
        amount=_amount(payload.get("total_price")), currency=str(payload.get("currency") or "")[:3],
    )
    return f"{'recovered' if recorded else 'already recovered'}: Meta order {order.meta_order_id}"


def shopify_order_created(*, shop_domain: str, payload: dict) -> str:
    """orders/create: an order made from a remedy's draft recovers its stuck order. "" when the order is
    none of the remedies' business (the matching handler's outcome then stands alone)."""
    if payload.get("source_name") != DRAFT_ORDER_SOURCE_NAME:
        return _cart_order_created(shop_domain=shop_domain, payload=payload)
    shop = Shop.objects.filter(domain=shop_domain, status=Shop.Status.ACTIVE).first()
    order = _order_named(shop=shop, payload=payload) if shop else None
    if order is None:
        return ""
    shopify_order_id = str(payload.get("admin_graphql_api_id") or f"gid://shopify/Order/{payload.get('id')}")
    recorded = order_recovery_record(
        order=order, shopify_order_id=shopify_order_id, name=str(payload.get("name") or "")[:32],
        amount=_amount(payload.get("total_price")), currency=str(payload.get("currency") or "")[:3],
    )
    return f"recovery: {'recovered' if recorded else 'already recovered'} Meta order {order.meta_order_id}"


def _cart_order_created(*, shop_domain: str, payload: dict) -> str:
    """An ordinary order from a remedy's cart permalink: its discount code is the action's code, or its
    note attribute `orderguard_meta_order_id` names a Meta order whose remedy sent a cart link."""
    codes = [str(entry.get("code") or "") for entry in payload.get("discount_codes") or () if isinstance(entry, dict)]
    named = [str(entry.get("value") or "") for entry in payload.get("note_attributes") or ()
             if isinstance(entry, dict) and entry.get("name") == CART_ATTRIBUTE]
    codes, named = [code for code in codes if code][:10], [value for value in named if value][:10]
    if not codes and not named:
        return ""
    shop = Shop.objects.filter(domain=shop_domain, status=Shop.Status.ACTIVE).first()
    if shop is None:
        return ""
    actions = RemediationAction.objects.select_related("order").filter(
        shop=shop, kind=RemediationAction.Kind.CANCEL_AND_LINK, result__store_link_url__isnull=False
    )
    action = next((found for code in codes for found in actions.filter(result__discount_code__iexact=code)[:1]), None)
    if action is None and named:
        action = actions.filter(order__meta_order_id__in=named).order_by("-created_at").first()
    if action is None:
        return ""
    shopify_order_id = str(payload.get("admin_graphql_api_id") or f"gid://shopify/Order/{payload.get('id')}")
    recorded = order_recovery_record(
        order=action.order, shopify_order_id=shopify_order_id, name=str(payload.get("name") or "")[:32],
        amount=_amount(payload.get("total_price")), currency=str(payload.get("currency") or "")[:3],
    )
    return f"recovery: {'recovered' if recorded else 'already recovered'} Meta order {action.order.meta_order_id} (cart link)"


def order_recovery_record(*, order: SocialOrder, shopify_order_id: str, name: str, amount: Decimal | None, currency: str) -> bool:
    """Mark the order recovered by this Shopify order, once. True when this call recorded it."""
    now = timezone.now()
    with transaction.atomic():
        recorded = SocialOrder.objects.filter(pk=order.pk, recovered_at__isnull=True).update(
            recovered_order_id=shopify_order_id, recovered_order_name=name, recovered_amount=amount,
            recovered_currency=currency or order.currency, recovered_at=now, updated_at=now,
        )
        if recorded:
            order_remedy_event(order=order, what="recovered", actor="buyer", detail=name or shopify_order_id, at=now).save()
        elif name:
            SocialOrder.objects.filter(pk=order.pk, recovered_order_id=shopify_order_id, recovered_order_name="").update(recovered_order_name=name, updated_at=now)
    return bool(recorded)


def _order_of_draft(*, shop: Shop, draft_gid: str) -> SocialOrder | None:
    action = RemediationAction.objects.select_related("order").filter(
        shop=shop, kind=RemediationAction.Kind.CANCEL_AND_LINK, result__draft_order_id=draft_gid
    ).first()
    return action.order if action else None


def _order_named(*, shop: Shop, payload: dict) -> SocialOrder | None:
    """The stuck order a cancel-and-link remedy exists for, named in the payload's tags or attributes."""
    tags = payload.get("tags") or ""
    texts = [tags] if isinstance(tags, str) else [str(tag) for tag in tags]
    texts += [str(attribute.get("value") or "") for attribute in payload.get("note_attributes") or () if isinstance(attribute, dict)]
    named = {match for text in texts for match in META_ID.findall(text)}
    if not named:
        return None
    return SocialOrder.objects.filter(
        shop=shop, meta_order_id__in=named, remedies__kind=RemediationAction.Kind.CANCEL_AND_LINK
    ).distinct().first()


def _amount(value) -> Decimal | None:
    """A payload's price string; anything that is not a sane amount (the column holds 12 digits) is None."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None
    return amount if amount is not None and abs(amount) < 10**10 else None
