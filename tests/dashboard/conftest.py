"""An installed shop with social orders written straight into the database (no platform calls needed:
the orders page renders from the database only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_meta_connection, make_poll_state, make_shop, make_social_order
from tests.helpers import SHOP_A, SHOP_B


@pytest.fixture
def shop_with_orders(db):
    shop = make_shop(domain=SHOP_A, name="Alpha Goods")
    make_meta_connection(shop=shop, commerce_account_name="Alpha on Meta")
    make_poll_state(shop=shop, last_success_at=timezone.now() - timedelta(minutes=2))

    def order(meta_order_id, **fields):
        return make_social_order(shop=shop, meta_order_id=meta_order_id, **fields)

    orders = {
        "missing": order("1000000000000001", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=5), amount="120.00", buyer="Marcus Bell"),
        "imported": order("1000000000000002", status="imported_not_acknowledged", reason="imported_not_acknowledged", age=timedelta(days=2), amount="80.50",
                          channel="instagram", buyer="Priya Shah", shopify_order_id="gid://shopify/Order/5001", shopify_order_name="#1042", shopify_matched_field="source_identifier"),
        "stuck_review": order("1000000000000003", status="stuck_processing", reason="review_over_24h", age=timedelta(hours=30), amount="45.00",
                              meta_state="FB_PROCESSING", buyer="Jonas Berg", currency="EUR"),
        "processing": order("1000000000000004", status="processing", reason="meta_reviewing", age=timedelta(minutes=10), meta_state="FB_PROCESSING"),
        "resolved": order("1000000000000005", status="resolved", reason="acknowledged", age=timedelta(days=3), meta_state="IN_PROGRESS",
                          resolved_at=timezone.now() - timedelta(days=2)),
        "fine": order("1000000000000006", status="fine", reason="completed", age=timedelta(days=6), meta_state="COMPLETED", deadline_at=None),
    }
    other = make_shop(domain=SHOP_B, name="Bravo Supply")
    make_social_order(shop=other, meta_order_id="2000000000000001", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=4), buyer="Bravo Secret")
    return shop, orders
