"""Tiny in-memory builders for the fast orders tests: typed platform records and plain ORM rows.

No sandbox, no live server: these tests feed the services what the clients would have returned.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from orderguard.integrations.meta.types import MetaOrder, MetaOrderItem
from orderguard.integrations.shopify.types import ShopifyOrder
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import SocialOrder
from orderguard.shops.models import Shop

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def shop(domain: str = "fast-shop.myshopify.com", **fields) -> Shop:
    return Shop.objects.create(domain=domain, name="Fast Shop", currency_code="USD", installed_at=NOW, **fields)


def connection(shop: Shop, **fields) -> MetaConnection:
    values = {"source": MetaConnection.Source.OPERATOR, "commerce_account_id": "781204456120017", "access_token": "EAAtest",
              "order_management_apps": [{"id": "2329312", "name": "Shopify"}], "apps_checked_at": NOW, **fields}
    return MetaConnection.objects.create(shop=shop, **values)


def meta_order(meta_id: str = "2904417823351201", *, state: str = "CREATED", created: datetime = NOW, **fields) -> MetaOrder:
    order = MetaOrder(
        id=meta_id, state=state, created=created, last_updated=created, channel="Facebook", merchant_order_id="",
        ship_by_date=None, is_test_order=False, buyer_name="Ada Buyer", buyer_email="ada@example.com",
        email_remarketing_option=False, shipping_address={"city": "Lyon"}, total_amount=Decimal("12.50"), currency="USD",
        items=(MetaOrderItem(id="1", retailer_id="SKU-1", product_id="9", product_name="Mug", quantity=1,
                             price_per_unit=Decimal("12.50"), currency="USD", cancelled_quantity=0),),
    )
    return replace(order, **fields)


def shopify_order(gid: str = "gid://shopify/Order/1001", **fields) -> ShopifyOrder:
    order = ShopifyOrder(
        id=gid, name="#1001", source_name="2329312", source_identifier="", custom_attributes=(), tags=(), note="",
        created_at=NOW, updated_at=NOW, cancelled_at=None, financial_status="PAID", fulfillment_status="UNFULFILLED",
    )
    return replace(order, **fields)


def social_order(shop: Shop, meta_id: str = "2904417823351201", *, state: str = "CREATED", created: datetime = NOW, **fields) -> SocialOrder:
    """A stored Meta order as ingest leaves it: no verdict yet (processing, meta_reviewing)."""
    values = {"commerce_account_id": "781204456120017", "meta_state": state, "meta_created_at": created, "meta_updated_at": created,
              "status": "processing", "reason": "meta_reviewing", **fields}
    return SocialOrder.objects.create(shop=shop, meta_order_id=meta_id, **values)
