"""Buyers choose their own names and addresses on Facebook and Instagram: the app's pages show them as
text, never as markup."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import make_social_order
from tests.helpers import SHOP_A, bearer

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("og")</script><img src=x onerror=alert(1)>'


def test_a_buyer_name_made_of_markup_is_shown_as_text(client, shop_with_orders):
    shop, _ = shop_with_orders
    order = make_social_order(shop=shop, meta_order_id="1000000000000099", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=3), buyer=PAYLOAD)
    pages = [
        client.get("/app/", {"tab": "all"}, headers=bearer(SHOP_A)),
        client.get("/app/", {"tab": "all"}, headers={**bearer(SHOP_A), "HX-Target": "orders-list"}),
        client.get(f"/app/orders/{order.pk}/", headers=bearer(SHOP_A)),
    ]
    for page in pages:
        assert page.status_code == 200
        assert b"&lt;script&gt;alert(" in page.content
        assert PAYLOAD.encode() not in page.content and b"<img src=x" not in page.content
