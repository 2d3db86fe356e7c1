"""The CSV export neutralises formulas (buyers choose their own names) and takes only ids it can look up;
the search takes its input literally. Through the real views, on the database only."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from tests.factories import make_social_order
from tests.helpers import SHOP_A, bearer

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab Buyer", "\rCR Buyer"]


def _export(client, ids) -> list[list[str]]:
    response = client.post("/app/orders/export", {"ids": ids, "contact": "1"}, headers=bearer(SHOP_A))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_csv_has_its_columns_and_only_the_selected_orders(client, shop_with_orders):
    _, orders = shop_with_orders
    rows = _export(client, [orders["missing"].pk, orders["imported"].pk, "junk"])
    assert [row[0] for row in rows[1:]] == ["1000000000000002", "1000000000000001"]  # placed order, oldest first
    imported = dict(zip(rows[0], rows[1]))
    assert imported["Buyer"] == "Priya Shah" and imported["Order total"] == "80.50" and imported["Currency"] == "USD"
    assert imported["Status"] == "In Shopify, not acknowledged" and imported["Shopify order"] == "#1042"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", imported["Placed (UTC)"]) and imported["Channel"] == "Instagram"


@pytest.mark.parametrize("buyer", PAYLOADS)
def test_a_buyer_name_that_looks_like_a_formula_is_exported_as_text(client, shop_with_orders, buyer):
    shop, _ = shop_with_orders
    order = make_social_order(shop=shop, meta_order_id="4000000000000001", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=3),
                       buyer=buyer, shopify_order_name=buyer)
    header, row = _export(client, [order.pk])
    row = dict(zip(header, row, strict=True))
    assert row["Buyer"] == "'" + buyer and row["Shipping address"].startswith("1 Main St")
    assert row["Shopify order"] == "'" + buyer


def test_export_ids_beyond_the_database_range_are_ignored_not_a_500(client, shop_with_orders):
    _, orders = shop_with_orders
    rows = _export(client, [str(2**63), str(2**64 + 5), "9" * 40, "0", "²", "-1", orders["missing"].pk])
    assert [row[0] for row in rows[1:]] == ["1000000000000001"]


def test_a_search_for_a_nul_byte_matches_nothing(client, shop_with_orders):
    response = client.get("/app/", {"tab": "all", "q": "\x00"}, headers={**bearer(SHOP_A), "HX-Target": "orders-list"})
    assert response.status_code == 200
    assert re.findall(rb'data-meta-order-id="(\d+)"', response.content) == []
    assert b"No order matches these filters." in response.content
    for term in ("Priya\x00", "\x07", "1000\x00"):
        partial = client.get("/app/", {"tab": "all", "q": term}, headers={**bearer(SHOP_A), "HX-Target": "orders-list"})
        assert re.findall(rb'data-meta-order-id="(\d+)"', partial.content) == [], term
