"""What the orders page and the drawer show, in the merchant's words: addresses in their country's layout,
Meta's amounts with "authorised" only while it is true, tab counts that follow the filters with a way to
clear them, Meta's states in words (its term in small print), the title in App Bridge's title bar, and the
tabs as ARIA tabs."""

from __future__ import annotations

import re

import pytest

from orderguard.integrations.meta.types import MetaOrder
from orderguard.orders.ingest import social_orders_upsert
from orderguard.orders.models import SocialOrder
from tests.factories import make_shop
from tests.helpers import SHOP_A, bearer, open_app

pytestmark = pytest.mark.django_db

BOZEMAN = {"name": "Jane Doe", "street1": "610 Pine Ridge Dr", "street2": "Unit 2", "city": "Bozeman", "state": "MT", "postal_code": "59715", "country": "US"}
AMSTERDAM = {"name": "Jan de Vries", "street1": "Damrak 1", "street2": "", "city": "Amsterdam", "state": "", "postal_code": "1012 LG", "country": "NL"}


def _drawer(client, order, language="en") -> str:
    response = client.get(f"/app/orders/{order.pk}/", headers={**bearer(SHOP_A), "X-OrderGuard-Locale": language})
    assert response.status_code == 200
    return response.content.decode().replace("\xa0", " ")


def _address(html: str) -> list[str]:
    block = re.search(r'<address data-testid="shipping-address">(.*?)</address>', html, re.S).group(1)
    return [line.strip() for line in block.split("<br>")]


@pytest.mark.parametrize(
    "address, language, expected",
    [
        (BOZEMAN, "en", ["Jane Doe", "610 Pine Ridge Dr", "Unit 2", "Bozeman, MT 59715", "United States"]),
        (BOZEMAN, "nl", ["Jane Doe", "610 Pine Ridge Dr", "Unit 2", "Bozeman, MT 59715", "Verenigde Staten"]),
        (AMSTERDAM, "en", ["Jan de Vries", "Damrak 1", "1012 LG Amsterdam", "Netherlands"]),
        ({**BOZEMAN, "country": ""}, "en", ["Jane Doe", "610 Pine Ridge Dr", "Unit 2", "59715 Bozeman MT"]),  # no country: one field a line, nothing invented
    ],
)
def test_the_address_is_laid_out_for_its_country(client, shop_with_orders, address, language, expected):
    _, orders = shop_with_orders
    SocialOrder.objects.filter(pk=orders["missing"].pk).update(shipping_address=address)
    assert _address(_drawer(client, orders["missing"], language)) == expected


def test_formatting_an_address_never_reaches_the_network(client, shop_with_orders, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the address data must come from the installed package")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    _, orders = shop_with_orders
    SocialOrder.objects.filter(pk=orders["missing"].pk).update(shipping_address={**AMSTERDAM, "country": "DE"})
    assert _address(_drawer(client, orders["missing"]))[-2:] == ["1012 LG Amsterdam", "Germany"]


def test_metas_amounts_are_stored_by_the_poll_and_shown_in_the_drawer(client, db):
    shop = make_shop(domain=SHOP_A)
    payment = {"subtotal": {"items": {"amount": "139.00", "currency": "USD"}, "shipping": {"amount": "7.95", "currency": "USD"}},
               "tax": {"amount": "8.34", "currency": "USD"}, "total_amount": {"amount": "155.29", "currency": "USD"}}
    meta = MetaOrder.from_api({"id": "7000000000000001", "order_status": {"state": "CREATED"}, "created": "2026-11-30T10:00:00+0000",
                               "channel": "facebook", "estimated_payment_details": payment})
    social_orders_upsert(shop=shop, commerce_account_id="1", meta_orders=[meta], now=meta.created)
    order = SocialOrder.objects.get(meta_order_id="7000000000000001")
    assert order.amounts == {"items": "139.00", "shipping": "7.95", "tax": "8.34", "total": "155.29"}

    tfoot = re.search(r'<tfoot data-testid="order-amounts">(.*?)</tfoot>', _drawer(client, order), re.S).group(1)
    rows = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in re.findall(r"<tr.*?</tr>", tfoot, re.S)]
    assert rows[:3] == [["Subtotal", "$139.00"], ["Shipping", "$7.95"], ["Tax", "$8.34"]]
    assert rows[3][0] == "Total" and rows[3][-1] == "$155.29"
    assert 'data-testid="payment-held"' in tfoot  # CREATED: authorised, not captured yet


def test_an_order_without_metas_breakdown_shows_its_total_only(client, shop_with_orders):
    _, orders = shop_with_orders
    tfoot = re.search(r'<tfoot data-testid="order-amounts">(.*?)</tfoot>', _drawer(client, orders["missing"]), re.S).group(1)
    assert "Subtotal" not in tfoot and "$120.00" in tfoot


@pytest.mark.parametrize(
    "fields, held",
    [
        ({"meta_state": "CREATED"}, True),
        ({"meta_state": "IN_PROGRESS"}, True),
        ({"meta_state": "COMPLETED", "reason": "completed", "status": "fine"}, False),
        ({"meta_state": "CREATED", "meta_cancelled": True, "reason": "cancelled", "status": "resolved"}, False),
    ],
)
def test_authorised_is_said_only_while_meta_holds_the_money(client, shop_with_orders, fields, held):
    _, orders = shop_with_orders
    SocialOrder.objects.filter(pk=orders["missing"].pk).update(**fields)
    html = _drawer(client, orders["missing"])
    assert ('data-testid="payment-held"' in html) is held
    assert ("captured only on shipment" in html) is held


def _tab_counts(html: str) -> dict[str, int]:
    return {tab: int(n) for tab, n in re.findall(r'id="orders-tab-(\w+)".*?<span class="og-count">(\d+)</span>', html, re.S)}


def _partial(client, **params):
    return client.get("/app/", params, headers={**bearer(SHOP_A), "HX-Target": "orders-list"}).content.decode()


def test_tab_counts_follow_the_search_and_the_channel(client, shop_with_orders):
    # "Resolved" holds only orders that needed action and recovered; the always-fine order is under "All".
    assert _tab_counts(_partial(client)) == {"needs_action": 3, "processing": 1, "resolved": 1, "all": 6}
    assert _tab_counts(_partial(client, channel="instagram")) == {"needs_action": 1, "processing": 0, "resolved": 0, "all": 1}
    assert _tab_counts(_partial(client, q="Jonas")) == {"needs_action": 1, "processing": 0, "resolved": 0, "all": 1}
    assert _tab_counts(_partial(client, tab="all", q="1000000000000005")) == {"needs_action": 0, "processing": 0, "resolved": 1, "all": 1}


def test_a_filtered_list_says_so_and_offers_to_clear_the_filters(client, shop_with_orders):
    assert 'data-testid="filter-note"' not in _partial(client)
    html = _partial(client, tab="resolved", channel="instagram", q="Priya", sort="newest")
    clear = re.search(r'<a href="([^"]*)" data-og-clear-filters>Clear filters</a>', html)
    assert 'data-testid="filter-note"' in html and clear
    assert clear.group(1).replace("&amp;", "&") == "/app/?tab=resolved&sort=newest"  # keeps the tab and sort, drops the filters
    dutch = client.get("/app/", {"q": "Priya"}, headers={**bearer(SHOP_A), "HX-Target": "orders-list", "X-OrderGuard-Locale": "nl"}).content.decode()
    assert "Filters wissen" in dutch


def test_the_tabs_are_aria_tabs_with_one_selected(client, shop_with_orders):
    html = _partial(client, tab="processing")
    assert 'role="tablist"' in html and html.count('role="tab"') == 4
    assert re.findall(r'id="orders-tab-(\w+)"[^>]*aria-selected="true"', html, re.S) == ["processing"]
    assert html.count('aria-selected="false"') == 3 and html.count('tabindex="-1"') == 3
    assert 'role="tabpanel" aria-labelledby="orders-tab-processing"' in html


def test_one_line_per_order_with_the_reason_as_the_badges_tooltip(client, shop_with_orders):
    html = _partial(client)
    row = re.search(r'<tr data-meta-order-id="1000000000000001".*?</tr>', html, re.S).group(0)
    reason = "Meta is waiting for Shopify to accept this order, and Shopify does not have it."
    assert f'title="{reason}"' in row and row.count(reason) == 2  # the tooltip, and the same words for screen readers
    assert 'class="og-visually-hidden">not in Shopify<' in row  # no visible "not in Shopify" on every row
    assert "og-reason" not in html


@pytest.mark.parametrize(
    "language, words",
    [("en", ["Waiting to be accepted", "First seen on Meta: Waiting to be accepted", "the Meta order number Shopify saved with the order"]),
     ("nl", ["Wacht op acceptatie", "Voor het eerst gezien bij Meta: Wacht op acceptatie", "het Meta-bestelnummer dat Shopify bij de bestelling bewaarde"])],
)
def test_metas_words_become_a_merchants_words(client, shop_with_orders, language, words):
    _, orders = shop_with_orders
    html = _drawer(client, orders["imported"], language)
    for text in words:
        assert text in html, text
    assert '<small class="og-platform-term"' in html and ">CREATED</small>" in html  # Meta's term, small, for support
    assert "source identifier" not in html and "source_identifier" not in html
    assert "<code>CREATED</code>" not in html


def test_the_meta_page_names_how_the_shop_connected_in_words(client, shop_with_orders):
    from orderguard.meta_connections.models import MetaConnection

    MetaConnection.objects.filter(shop__domain=SHOP_A).update(source="operator")
    html = open_app(client, SHOP_A, "/app/meta/").content.decode()
    assert "Set up by OrderGuard support" in html and "Operator command" not in html


def test_app_bridge_draws_the_title_and_the_page_keeps_its_header_for_when_it_cannot(client, shop_with_orders):
    _, orders = shop_with_orders
    html = open_app(client, SHOP_A, "/app/").content.decode()
    assert '<ui-title-bar title="Facebook &amp; Instagram orders">' in html
    assert re.search(r'<h1 id="page-title">Facebook &(amp;)? Instagram orders</h1>', html) and 'class="og-local-nav"' in html
    detail = open_app(client, SHOP_A, f"/app/orders/{orders['missing'].pk}/").content.decode()
    bar = re.search(r"<ui-title-bar[^>]*>(.*?)</ui-title-bar>", detail, re.S).group(1)
    assert 'variant="breadcrumb" href="/app/?locale=en"' in bar and 'variant="primary"' in bar and "Open in Commerce Manager" in bar
    # The order's title shows once on its page: the h1 names the article, which has no heading of its own.
    assert detail.count("Meta order 1000000000000001</h") == 1 and 'aria-labelledby="page-title"' in detail

