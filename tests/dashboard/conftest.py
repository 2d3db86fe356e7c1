"""An installed shop with social orders written straight into the database (no platform calls needed:
the orders page renders from the database only)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState, SocialOrder, SocialOrderEvent
from orderguard.shops.models import OfflineToken, Shop
from tests.helpers import SHOP_A, SHOP_B


def make_shop(domain: str, name: str) -> Shop:
    shop = Shop.objects.create(domain=domain, name=name, currency_code="USD", installed_at=timezone.now())
    OfflineToken.objects.create(shop=shop, access_token="shpat_test", expires_at=timezone.now() + timedelta(hours=1))
    return shop


def make_order(shop: Shop, meta_id: str, *, status: str, reason: str, age: timedelta, amount: str = "100.00",
               channel: str = "facebook", buyer: str = "Ada Buyer", currency: str = "USD", **fields) -> SocialOrder:
    created = timezone.now() - age
    from orderguard.reconciliation.engine import NEEDS_ACTION

    order = SocialOrder.objects.create(
        shop=shop, meta_order_id=meta_id, commerce_account_id="1054872930216647", channel=channel,
        meta_state=fields.pop("meta_state", "CREATED"), meta_created_at=created, meta_updated_at=created,
        buyer_name=buyer, buyer_email=f"{buyer.split()[0].lower()}@marketplace.facebook.com",
        shipping_address={"name": buyer, "street1": "1 Main St", "city": "Portland", "state": "ME", "postal_code": "04101", "country": "US"},
        items=[{"product_name": "Trail Jacket", "retailer_id": "MM-JKT-1", "quantity": 1, "price_per_unit": amount, "currency": currency}],
        total_amount=Decimal(amount), currency=currency, status=status, reason=reason, needs_action=status in NEEDS_ACTION,
        deadline_at=fields.pop("deadline_at", created + timedelta(days=30)), stuck_since=created + timedelta(hours=1) if status in NEEDS_ACTION else None,
        **fields,
    )
    SocialOrderEvent.objects.create(shop=shop, order=order, kind="meta_state", to_value=order.meta_state, at=created)
    return order


@pytest.fixture
def shop_with_orders(db):
    shop = make_shop(SHOP_A, "Alpha Goods")
    MetaConnection.objects.create(shop=shop, source="operator", commerce_account_id="1054872930216647", commerce_account_name="Alpha on Meta",
                                  access_token="EAAtest", order_management_apps=[{"id": "2329312", "name": "Shopify"}])
    PollState.objects.create(shop=shop, next_poll_at=timezone.now(), last_success_at=timezone.now() - timedelta(minutes=2))
    orders = {
        "missing": make_order(shop, "1000000000000001", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=5), amount="120.00", buyer="Marcus Bell"),
        "imported": make_order(shop, "1000000000000002", status="imported_not_acknowledged", reason="imported_not_acknowledged", age=timedelta(days=2), amount="80.50",
                               channel="instagram", buyer="Priya Shah", shopify_order_id="gid://shopify/Order/5001", shopify_order_name="#1042", shopify_matched_field="source_identifier"),
        "stuck_review": make_order(shop, "1000000000000003", status="stuck_processing", reason="review_over_24h", age=timedelta(hours=30), amount="45.00",
                                   meta_state="FB_PROCESSING", buyer="Jonas Berg", currency="EUR"),
        "processing": make_order(shop, "1000000000000004", status="processing", reason="meta_reviewing", age=timedelta(minutes=10), meta_state="FB_PROCESSING"),
        "resolved": make_order(shop, "1000000000000005", status="resolved", reason="acknowledged", age=timedelta(days=3), meta_state="IN_PROGRESS",
                               resolved_at=timezone.now() - timedelta(days=2)),
        "fine": make_order(shop, "1000000000000006", status="fine", reason="completed", age=timedelta(days=6), meta_state="COMPLETED", deadline_at=None),
    }
    other = make_shop(SHOP_B, "Bravo Supply")
    make_order(other, "2000000000000001", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=4), buyer="Bravo Secret")
    return shop, orders
