"""Graph API field selections and enums, in one place so that calls and parsers (types.py) agree.

Nested selection (`items{...}`) brings an order's line items in the same call as the order, which saves
rate-limit budget. Item `status` is the per-quantity breakdown that tells whether Meta cancelled an item.
"""

from __future__ import annotations

ITEM_FIELDS = "id,retailer_id,product_id,product_name,quantity,price_per_unit,status"

ORDER_FIELDS = (
    "id,order_status,created,last_updated,channel,merchant_order_id,ship_by_date,is_test_order,"
    "buyer_details{name,email,email_remarketing_option},"
    "shipping_address{name,street1,street2,city,state,postal_code,country},"
    "estimated_payment_details{subtotal{items,shipping},tax,total_amount},"
    f"items{{{ITEM_FIELDS}}}"
)

PAGE_FIELDS = "id,name,access_token,tasks"
COMMERCE_ACCOUNT_FIELDS = "id,display_name,merchant_page,merchant_status"

# order_status.state values (`state=` takes a comma list, OR semantics).
ORDER_STATES = frozenset({"FB_PROCESSING", "CREATED", "IN_PROGRESS", "COMPLETED"})
# `filters=` values (AND semantics).
ORDER_FILTERS = frozenset(
    {"no_shipments", "has_cancellations", "no_cancellations", "has_refunds", "no_refunds", "has_fulfillments"}
)
CANCEL_REASON_CODES = frozenset(
    {"CUSTOMER_REQUESTED", "OUT_OF_STOCK", "INVALID_ADDRESS", "SUSPICIOUS_ORDER", "CANCEL_REASON_OTHER"}
)

# GET /{order-id}/cancellations: what was cancelled, why, and whether it was restocked.
CANCELLATION_FIELDS = "id,cancel_reason{reason_code,reason_description},restock_items,items{id,retailer_id,product_id,quantity}"
