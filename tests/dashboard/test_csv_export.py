"""The orders page's CSV: every order matching the tab and filters (or only the selected ones), one row
per item line, in the merchant's language and their Excel's dialect, buyer contact only on request,
formulas neutralised. Through the real view, on the database only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from orderguard.orders.csv_export import CONTACT_COLUMNS, ORDER_COLUMNS
from tests.factories import make_social_order
from tests.helpers import SHOP_A, bearer

pytestmark = pytest.mark.django_db

ENGLISH_HEADER = ["Meta order", "Channel", "Placed (UTC)", "Status", "Reason", "Auto-cancel by Meta (UTC)", "Shopify order",
                  "Order total", "Currency", "Item", "SKU", "Quantity", "Price per unit"]


def _post(client, form, *, language="en"):
    response = client.post("/app/orders/export", form, headers={**bearer(SHOP_A), "X-OrderGuard-Locale": language})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming, "a large export is streamed, not built in memory"
    return b"".join(response.streaming_content)


def _rows(raw: bytes, *, delimiter=",") -> list[dict[str, str]]:
    assert raw.startswith("\ufeff".encode()), "a UTF-8 byte order mark, for Excel"
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_columns_in_english_carry_items_skus_quantities_amounts_deadline_and_status_in_words(client, shop_with_orders):
    shop, orders = shop_with_orders
    two_items = make_social_order(shop=shop, meta_order_id="3000000000000001", status="missing_from_shopify", reason="not_in_shopify",
                                  age=timedelta(hours=8), amount="1234.50")
    two_items.items = [{"product_name": "Trail Jacket", "retailer_id": "MM-JKT-1", "quantity": 1, "price_per_unit": "1200.00"},
                       {"product_name": "Wool Socks", "retailer_id": "MM-SOX-2", "quantity": 3, "price_per_unit": "11.50"}]
    two_items.save()
    raw = _post(client, {"ids": [two_items.pk]})
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header == ENGLISH_HEADER == [str(label) for _, label in ORDER_COLUMNS]
    jacket, socks = _rows(raw)
    assert (jacket["Item"], jacket["SKU"], jacket["Quantity"], jacket["Price per unit"]) == ("Trail Jacket", "MM-JKT-1", "1", "1200.00")
    assert (socks["Item"], socks["SKU"], socks["Quantity"], socks["Price per unit"]) == ("Wool Socks", "MM-SOX-2", "3", "11.50")
    for row in (jacket, socks):  # the order's own columns on every line, so a filter in Excel keeps whole orders
        assert row["Meta order"] == "3000000000000001" and row["Order total"] == "1234.50" and row["Currency"] == "USD"
        assert row["Status"] == "Missing from Shopify" and row["Reason"].startswith("Meta")
        assert row["Auto-cancel by Meta (UTC)"] == f"{two_items.deadline_at:%Y-%m-%d %H:%M}"


def test_in_dutch_the_headers_and_words_are_dutch_with_semicolons_and_a_decimal_comma(client, shop_with_orders):
    _, orders = shop_with_orders
    raw = _post(client, {"ids": [orders["imported"].pk]}, language="nl")
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("Meta-bestelling;Kanaal;Geplaatst (UTC);Status;Reden;")
    (row,) = _rows(raw, delimiter=";")
    assert row["Totaalbedrag"] == "80,50" and row["Prijs per stuk"] == "80,50" and row["Aantal"] == "1"
    assert row["Shopify-bestelling"] == "#1042" and row["Status"] != "In Shopify, not acknowledged"


def test_the_separator_can_be_chosen_whatever_the_language(client, shop_with_orders):
    _, orders = shop_with_orders
    (english_in_dutch_excel,) = _rows(_post(client, {"ids": [orders["imported"].pk], "separator": "semicolon"}), delimiter=";")
    assert english_in_dutch_excel["Order total"] == "80,50"
    (dutch_with_commas,) = _rows(_post(client, {"ids": [orders["imported"].pk], "separator": "comma"}, language="nl"))
    assert dutch_with_commas["Totaalbedrag"] == "80.50"
    (unknown_choice,) = _rows(_post(client, {"ids": [orders["imported"].pk], "separator": "tab"}, language="nl"), delimiter=";")
    assert unknown_choice["Totaalbedrag"] == "80,50"  # anything else: the language's own


def test_buyer_contact_only_when_the_merchant_asks_for_it(client, shop_with_orders):
    _, orders = shop_with_orders
    without = _post(client, {"ids": [orders["missing"].pk]})
    assert b"Marcus Bell" not in without and b"marcus@" not in without and b"Main St" not in without
    assert all(str(label) not in without.decode("utf-8-sig") for _, label in CONTACT_COLUMNS)
    (row,) = _rows(_post(client, {"ids": [orders["missing"].pk], "contact": "1"}))
    assert (row["Buyer"], row["Buyer email"]) == ("Marcus Bell", "marcus@marketplace.facebook.com")
    assert row["Shipping address"] == "1 Main St, 04101, Portland, ME, US"


def test_all_matching_exports_the_tab_and_filters_not_the_page_while_selected_exports_the_selection(client, shop_with_orders):
    shop, orders = shop_with_orders
    for n in range(30):  # more than a page of 25
        make_social_order(shop=shop, meta_order_id=f"50000000000000{n:02d}", status="missing_from_shopify", reason="not_in_shopify",
                          age=timedelta(hours=2, minutes=n), channel="instagram")
    needs_action = _rows(_post(client, {"scope": "matching", "tab": "needs_action"}))
    assert len(needs_action) == 33 and "1000000000000004" not in {row["Meta order"] for row in needs_action}
    instagram = _rows(_post(client, {"scope": "matching", "tab": "needs_action", "channel": "instagram"}))
    assert len(instagram) == 31 and {row["Channel"] for row in instagram} == {"Instagram"}
    searched = _rows(_post(client, {"scope": "matching", "tab": "all", "q": "Priya"}))
    assert [row["Meta order"] for row in searched] == ["1000000000000002"]
    everything = _rows(_post(client, {"scope": "matching", "tab": "all", "sort": "newest"}))
    assert len(everything) == 36 and "2000000000000001" not in {row["Meta order"] for row in everything}  # never another shop's
    placed = [row["Placed (UTC)"] for row in everything]
    assert placed == sorted(placed, reverse=True)
    selected = _rows(_post(client, {"ids": [orders["missing"].pk, orders["fine"].pk]}))
    assert {row["Meta order"] for row in selected} == {"1000000000000001", "1000000000000006"}


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rCR"])
def test_formula_payloads_in_any_text_cell_are_neutralised_in_both_dialects(client, shop_with_orders, payload):
    shop, _ = shop_with_orders
    order = make_social_order(shop=shop, meta_order_id="4000000000000009", status="missing_from_shopify", reason="not_in_shopify",
                              age=timedelta(hours=3), buyer=payload, shopify_order_name=payload)
    order.items = [{"product_name": payload, "retailer_id": payload, "quantity": 1, "price_per_unit": "5.00"}]
    order.shipping_address = {"street1": payload}
    order.save()
    for language, delimiter in (("en", ","), ("nl", ";")):
        (row,) = [row for row in _rows(_post(client, {"scope": "matching", "tab": "all", "contact": "1"}, language=language), delimiter=delimiter)
                  if row[next(iter(row))] == "4000000000000009"]
        # The buyer (and their email where it starts alike), the Shopify order's name, the item, its SKU and
        # the address: each as text.
        cells = [cell for cell in row.values() if cell.lstrip("'").startswith(payload)]
        assert len(cells) >= 5 and all(cell.startswith("'" + payload) for cell in cells), (language, row)
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values()), (language, row)
