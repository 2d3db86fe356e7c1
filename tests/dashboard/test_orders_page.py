"""The orders page: the full page and its htmx partials, tabs, filters, search, sorting, pagination,
the detail, the empty state, the language, and that it never asks the platforms anything."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orderguard.orders.models import SocialOrder
from tests.factories import make_social_order
from tests.helpers import SHOP_A, bearer, open_app

pytestmark = pytest.mark.django_db


def _ids(content: bytes) -> list[str]:
    return re.findall(rb'data-meta-order-id="(\d+)"', content)


def _page(client, **params):
    return open_app(client, SHOP_A, "/app/", **params)


def _partial(client, **params):
    headers = {**bearer(SHOP_A), "HX-Target": "orders-list"}
    return client.get("/app/", params, headers=headers)


def test_the_full_page_has_the_summary_above_the_list(client, shop_with_orders):
    response = _page(client)
    html = response.content.decode()

    assert response.status_code == 200 and "<html" in html
    assert 'data-testid="needs-action-count">3<' in html
    held = re.search(r'data-testid="money-held">(.*?)</p>', html).group(1)
    assert "$200.50" in held and "€45.00" in held  # per currency
    assert "Next auto-cancel by Meta" in html and "Last check:" in html
    assert _ids(response.content) == [b"1000000000000002", b"1000000000000003", b"1000000000000001"]  # needs action, oldest first
    assert b"2000000000000001" not in response.content and b"Bravo Secret" not in response.content


def test_an_htmx_request_for_the_list_gets_only_the_partial(client, shop_with_orders):
    response = _partial(client, tab="all")
    assert response.status_code == 200
    assert b"<html" not in response.content and b'id="orders-list"' in response.content
    assert b'id="summary"' not in response.content
    assert len(_ids(response.content)) == 6


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"tab": "processing"}, [b"1000000000000004"]),
        ({"tab": "resolved"}, [b"1000000000000005"]),  # only orders that needed action (issue 11, item 8)
        ({"tab": "needs_action", "channel": "instagram"}, [b"1000000000000002"]),
        ({"tab": "all", "q": "Priya"}, [b"1000000000000002"]),
        ({"tab": "all", "q": "1000000000000005"}, [b"1000000000000005"]),
        ({"tab": "all", "q": "#1042"}, [b"1000000000000002"]),
        ({"tab": "needs_action", "sort": "amount_high"}, [b"1000000000000001", b"1000000000000002", b"1000000000000003"]),
        ({"tab": "needs_action", "sort": "newest"}, [b"1000000000000001", b"1000000000000003", b"1000000000000002"]),
        ({"tab": "nonsense", "sort": "nonsense", "channel": "myspace", "page": "x"}, [b"1000000000000002", b"1000000000000003", b"1000000000000001"]),
    ],
)
def test_tabs_filters_search_and_sorting(client, shop_with_orders, params, expected):
    assert _ids(_partial(client, **params).content) == expected


def test_pagination_splits_long_lists(client, shop_with_orders):
    shop, _ = shop_with_orders
    for n in range(30):
        make_social_order(shop=shop, meta_order_id=f"30000000000{n:05d}", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=2, minutes=n))
    first, second = _partial(client), _partial(client, page=2)
    assert len(_ids(first.content)) == 25 and len(_ids(second.content)) == 8
    assert not set(_ids(first.content)) & set(_ids(second.content))
    assert b"Page 2 of 2" in second.content and b'rel="prev"' in second.content
    assert _ids(_partial(client, page=99).content) == _ids(second.content)  # past the end: the last page


def test_the_detail_shows_items_buyer_address_timeline_and_links(client, shop_with_orders):
    _, orders = shop_with_orders
    order = orders["imported"]
    drawer = client.get(f"/app/orders/{order.pk}/", headers=bearer(SHOP_A))
    assert drawer.status_code == 200 and b"<html" not in drawer.content
    html = drawer.content.decode()
    for text in ("Trail Jacket", "MM-JKT-1", "Priya Shah", "1 Main St", "Portland", "#1042", "/orders/5001", "Open in Commerce Manager", "First seen on Meta"):
        assert text in html, text
    page = open_app(client, SHOP_A, f"/app/orders/{order.pk}/")
    assert page.status_code == 200 and b"<html" in page.content and b"All orders" in page.content


def test_an_empty_shop_says_so_plainly_with_the_last_check(client, shop_with_orders):
    SocialOrder.objects.filter(needs_action=True).update(needs_action=False, status="resolved")
    response = _page(client)
    assert b'data-testid="empty-state"' in response.content and b"No stuck orders" in response.content
    assert b'data-testid="last-check"' in response.content
    assert b"No order needs action." in response.content


def test_the_page_follows_the_admins_language(client, shop_with_orders):
    dutch = _page(client, locale="nl-NL")
    assert dutch["Content-Language"] == "nl"
    assert b"Bestellingen die actie nodig hebben" in dutch.content and b'lang="nl"' in dutch.content
    english = _page(client, locale="en")
    assert b"Orders that need action" in english.content
    partial = client.get("/app/", {"tab": "all"}, headers={**bearer(SHOP_A), "HX-Target": "orders-list", "X-OrderGuard-Locale": "nl"})
    # Six orders fit on one page: its Dutch label, and no link back.
    assert b"Pagina 1 van 1" in partial.content and b"Page 1 of 1" not in partial.content
    assert b'rel="prev"' not in partial.content and b"Vorige" not in partial.content


def test_money_and_dates_are_formatted_for_the_locale(client, shop_with_orders):
    english = _page(client, locale="en").content.decode().replace("\xa0", " ")
    dutch = _page(client, locale="nl").content.decode().replace("\xa0", " ")
    assert "$120.00" in english and "US$ 120,00" in dutch
    assert "€ 45,00" in dutch


def test_the_freshness_check_is_204_until_something_changes(client, shop_with_orders):
    shop, orders = shop_with_orders
    stamp = re.search(rb"orders/freshness\?seen=([0-9.\-]+)", _page(client).content).group(1).decode()
    unchanged = client.get("/app/orders/freshness", {"seen": stamp}, headers=bearer(SHOP_A))
    assert unchanged.status_code == 204
    orders["processing"].status = "missing_from_shopify"
    orders["processing"].save()
    changed = client.get("/app/orders/freshness", {"seen": stamp}, headers=bearer(SHOP_A))
    assert changed.status_code == 200 and "og:orders-changed" in changed["HX-Trigger"]
    assert stamp.encode() not in changed.content


def test_the_selection_exports_as_csv(client, shop_with_orders):
    _, orders = shop_with_orders
    other_shops_order = SocialOrder.objects.get(meta_order_id="2000000000000001")
    selected = [orders["missing"].pk, orders["imported"].pk, other_shops_order.pk, "junk"]
    response = client.post("/app/orders/export", {"ids": selected, "contact": "1"}, headers=bearer(SHOP_A))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(body))

    assert header[:3] == ["Meta order", "Channel", "Placed (UTC)"] and header[-3:] == ["Buyer", "Buyer email", "Shipping address"]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert len(rows) == 2 and set(by_id) == {"1000000000000001", "1000000000000002"}
    missing, imported = by_id["1000000000000001"], by_id["1000000000000002"]
    assert (missing["Channel"], missing["Buyer"], missing["Order total"], missing["Currency"], missing["Shopify order"]) == ("Facebook", "Marcus Bell", "120.00", "USD", "")
    assert (imported["Channel"], imported["Buyer"], imported["Order total"], imported["Shopify order"]) == ("Instagram", "Priya Shah", "80.50", "#1042")
    assert missing["Placed (UTC)"] == f"{orders['missing'].meta_created_at:%Y-%m-%d %H:%M}" and missing["Auto-cancel by Meta (UTC)"]
    # Neither the shop's unselected orders nor another shop's order, even when its id is sent.
    for unselected in ("1000000000000003", "1000000000000004", "1000000000000005", "1000000000000006", "2000000000000001", "Bravo Secret"):
        assert unselected not in body, unselected


def test_the_page_never_calls_shopify_or_meta_and_uses_few_queries(client, shop_with_orders, monkeypatch):
    import httpx
    import requests

    def refuse(*args, **kwargs):
        raise AssertionError("the orders page called a platform")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setattr(requests.Session, "send", refuse)
    with CaptureQueriesContext(connection) as page_queries:
        assert _page(client).status_code == 200
    with CaptureQueriesContext(connection) as partial_queries:
        assert _partial(client, tab="all", q="a").status_code == 200
    assert len(page_queries) <= 10, [q["sql"] for q in page_queries]
    assert len(partial_queries) <= 10, [q["sql"] for q in partial_queries]
