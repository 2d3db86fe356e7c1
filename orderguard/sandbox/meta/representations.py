"""How the stand-in's objects look in the Graph API: node types (fields, defaults) and the full
representation of each object, from which graph.select() keeps what a request asks for.

Field names, nesting and formats follow Meta's Order API reference (see research/meta-commerce-api.md):
times as "2026-11-27T10:00:00+0000", money as {"amount": "12.50", "currency": "USD"}, ids as strings.
Buyer details and the shipping address are not shared while an order is in FB_PROCESSING.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from orderguard.sandbox.meta.graph import Node, edge
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaOrder

_MONEY = Node("CurrencyAmount", {"amount": None, "currency": None, "offset": None})
_ADDRESS = Node(
    "CommerceOrderShippingAddress",
    {"name": None, "street1": None, "street2": None, "city": None, "state": None, "postal_code": None, "country": None},
)
_BUYER = Node("CommerceOrderBuyerDetails", {"name": None, "email": None, "email_remarketing_option": None, "phone_number": None})
_SHIPPING_TIME = Node("EstimatedShippingTime", {"min_days": None, "max_days": None})
_SHIPPING_OPTION = Node(
    "CommerceOrderShippingOption",
    {"name": None, "price": _MONEY, "calculated_tax": _MONEY, "estimated_shipping_time": _SHIPPING_TIME, "reference_id": None},
)
_SUBTOTAL = Node("CommerceOrderSubtotal", {"items": _MONEY, "shipping": _MONEY})
_PAYMENT = Node(
    "CommerceOrderEstimatedPaymentDetails",
    {"subtotal": _SUBTOTAL, "tax": _MONEY, "total_amount": _MONEY, "tax_remitted": None},
)
_ITEM_STATUS = Node("CommerceOrderItemStatus", {"in_progress": None, "fulfilled": None, "cancelled": None})
_TAX_DETAILS = Node("CommerceOrderItemTaxDetails", {"estimated_tax": _MONEY, "captured_tax": Node("CapturedTax", {"total_tax": _MONEY})})

ITEM = Node(
    "CommerceOrderItem",
    {
        "id": None,
        "retailer_id": None,
        "product_id": None,
        "product_name": None,
        "quantity": None,
        "price_per_unit": _MONEY,
        "status": _ITEM_STATUS,
        "tax_details": _TAX_DETAILS,
        "selected_shipping_option": _SHIPPING_OPTION,
    },
    defaults=("id", "retailer_id", "product_id", "quantity", "price_per_unit"),
)
_CANCELLED_ITEM = Node("CommerceOrderCancelledItem", {"id": None, "product_id": None, "retailer_id": None, "quantity": None})
CANCELLATION = Node(
    "CommerceOrderCancellation",
    {
        "id": None,
        "items": edge(_CANCELLED_ITEM, "items"),
        "cancel_reason": Node("CommerceOrderCancelReason", {"reason_code": None, "reason_description": None}),
        "restock_items": None,
    },
)
REFUND = Node("CommerceOrderRefund", {"id": None, "refund_reason": Node("RefundReason", {"reason_code": None, "reason_text": None}), "refund_amount": None})
SHIPMENT = Node("CommerceOrderShipment", {"id": None, "tracking_info": Node("TrackingInfo", {"tracking_number": None, "carrier": None}), "items": None})

ORDER = Node(
    "CommerceOrder",
    {
        "id": None,
        "order_status": Node("CommerceOrderStatus", {"state": None}),
        "created": None,
        "last_updated": None,
        "items": edge(ITEM, "items"),
        "ship_by_date": None,
        "merchant_order_id": None,
        "channel": None,
        "selected_shipping_option": _SHIPPING_OPTION,
        "shipping_address": _ADDRESS,
        "estimated_payment_details": _PAYMENT,
        "buyer_details": _BUYER,
        "is_test_order": None,
        "contains_bopis_items": None,
        "is_group_buy": None,
        "cancellations": edge(CANCELLATION, "cancellations"),
        "refunds": edge(REFUND, "refunds"),
        "shipments": edge(SHIPMENT, "shipments"),
    },
    defaults=("id", "order_status", "created", "last_updated"),
)

_PAGE_REF = Node("Page", {"id": None, "name": None})
SETUP_STATUS = Node(
    "CommerceMerchantSettingsSetupStatus",
    {
        "shop_setup": None,
        "payment_setup": None,
        "review_status": Node("ReviewStatus", {"status": None, "reasons": None}),
        "deals_setup": None,
        "marketplace_approval_status": None,
    },
)
APPLICATION = Node("Application", {"id": None, "name": None, "link": None, "namespace": None})
ACCOUNT = Node(
    "CommerceMerchantSettings",
    {
        "id": None,
        "display_name": None,
        "merchant_page": _PAGE_REF,
        "merchant_status": None,
        "contact_email": None,
        "cta": None,
        "onsite_commerce_merchant": Node("OnsiteCommerceMerchant", {"id": None}),
        "offsite_iab_checkout_enabled_countries": None,
        "facebook_channel": Node("FacebookChannel", {"pages": edge(_PAGE_REF, "pages")}),
        "instagram_channel": Node("InstagramChannel", {"instagram_users": edge(Node("InstagramUser", {"id": None}), "instagram_users")}),
        "setup_status": edge(SETUP_STATUS, "setup_status"),
        "order_management_apps": edge(APPLICATION, "order_management_apps"),
    },
    defaults=("id", "display_name"),
)
PAGE = Node(
    "Page",
    {
        "id": None,
        "name": None,
        "category": None,
        "access_token": None,
        "tasks": None,
        "commerce_merchant_settings": edge(
            Node("CommerceMerchantSettings", {"id": None, "display_name": None}, defaults=("id",)), "commerce_merchant_settings"
        ),
    },
    defaults=("id", "name"),
)
USER = Node("User", {"id": None, "name": None}, defaults=("id", "name"))

PAGE_TASKS = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]


def graph_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


def money(amount: Decimal | str | int, currency: str) -> dict:
    return {"amount": f"{Decimal(str(amount)):.2f}", "currency": currency}


def order(order: MetaOrder) -> dict:
    currency = order.currency
    body: dict = {
        "id": order.id,
        "order_status": {"state": order.state},
        "created": graph_time(order.created),
        "last_updated": graph_time(order.last_updated),
        "channel": order.channel,
        "is_test_order": order.is_test_order,
        "contains_bopis_items": False,
        "is_group_buy": False,
        "estimated_payment_details": {
            "subtotal": {"items": money(order.subtotal_items, currency), "shipping": money(order.subtotal_shipping, currency)},
            "tax": money(order.tax, currency),
            "total_amount": money(order.total, currency),
            "tax_remitted": True,
        },
        "items": [item(order, row) for row in order.items],
        "cancellations": [cancellation(order, row) for row in order.cancellations],
        "refunds": list(order.refunds),
        "shipments": list(order.shipments),
    }
    if order.merchant_order_id:
        body["merchant_order_id"] = order.merchant_order_id
    if order.ship_by_date:
        body["ship_by_date"] = order.ship_by_date.isoformat()
    if order.selected_shipping_option:
        body["selected_shipping_option"] = shipping_option(order)
    if order.state != MetaOrder.State.FB_PROCESSING:
        # Meta shares who the buyer is and where the order goes only once the order is finalized.
        body["buyer_details"] = {
            "name": order.buyer_name,
            "email": order.buyer_email,
            "email_remarketing_option": order.email_remarketing_option,
        }
        if order.buyer_phone:
            body["buyer_details"]["phone_number"] = order.buyer_phone
        body["shipping_address"] = dict(order.shipping_address)
    return body


def shipping_option(order: MetaOrder) -> dict:
    option = order.selected_shipping_option
    return {
        "name": option.get("name", "Standard"),
        "reference_id": option.get("reference_id", "standard"),
        "price": money(option.get("price", order.subtotal_shipping), order.currency),
        "calculated_tax": money(option.get("calculated_tax", "0"), order.currency),
        "estimated_shipping_time": {"min_days": option.get("min_days", 3), "max_days": option.get("max_days", 7)},
    }


def item(order: MetaOrder, row: dict) -> dict:
    quantity = int(row["quantity"])
    cancelled = int(row.get("cancelled", 0))
    fulfilled = int(row.get("fulfilled", 0))
    line_total = Decimal(str(row["price_per_unit"])) * quantity
    share = (order.tax * line_total / order.subtotal_items) if order.subtotal_items else Decimal("0")
    body = {
        "id": row["id"],
        "retailer_id": row["retailer_id"],
        "product_id": row["product_id"],
        "product_name": row.get("product_name", ""),
        "quantity": quantity,
        "price_per_unit": money(row["price_per_unit"], order.currency),
        "status": {"in_progress": quantity - cancelled - fulfilled, "fulfilled": fulfilled, "cancelled": cancelled},
        "tax_details": {"estimated_tax": money(share.quantize(Decimal("0.01")), order.currency)},
    }
    if order.selected_shipping_option:
        body["selected_shipping_option"] = shipping_option(order)
    return body


def cancellation(order: MetaOrder, row: dict) -> dict:
    by_id = {line["id"]: line for line in order.items}
    return {
        "id": row["id"],
        "items": [
            {
                "id": line["id"],
                "product_id": by_id.get(line["id"], {}).get("product_id", ""),
                "retailer_id": by_id.get(line["id"], {}).get("retailer_id", ""),
                "quantity": line["quantity"],
            }
            for line in row.get("items", [])
        ],
        "cancel_reason": dict(row.get("cancel_reason") or {}),
        "restock_items": bool(row.get("restock_items")),
    }


def account(account: MetaCommerceAccount) -> dict:
    onsite = account.checkout == MetaCommerceAccount.Checkout.ONSITE
    body: dict = {
        "id": account.id,
        "display_name": account.display_name,
        "merchant_page": {"id": account.page_id, "name": account.page_name},
        "merchant_status": account.merchant_status,
        "contact_email": account.contact_email,
        # "cta" is undocumented beyond ONSITE_CHECKOUT; the website-checkout value is the sandbox's guess.
        "cta": "ONSITE_CHECKOUT" if onsite else "OFFSITE_LINK",
        "offsite_iab_checkout_enabled_countries": [] if onsite else ["US"],
        "facebook_channel": {"pages": [{"id": account.page_id, "name": account.page_name}]},
        "setup_status": [setup_status(account)],
        "order_management_apps": [dict(app) for app in account.order_management_apps],
    }
    if onsite:
        body["onsite_commerce_merchant"] = {"id": account.id}
    if account.instagram_user_id:
        body["instagram_channel"] = {"instagram_users": [{"id": account.instagram_user_id}]}
    return body


def setup_status(account: MetaCommerceAccount) -> dict:
    return {
        "shop_setup": account.shop_setup,
        "payment_setup": account.payment_setup,
        "review_status": {"status": account.review_status, "reasons": []},
    }


def page(account: MetaCommerceAccount, *, access_token: str | None = None) -> dict:
    body: dict = {
        "id": account.page_id,
        "name": account.page_name,
        "category": "Clothing store",
        "tasks": list(PAGE_TASKS),
        "commerce_merchant_settings": [{"id": account.id, "display_name": account.display_name}],
    }
    if access_token is not None:
        body["access_token"] = access_token
    return body
