"""Detection must not mislead (issue 11, items 4 to 9), through the sandbox and the orders page: completed
outside Shopify, near Meta's auto-cancel, times from the facts, "not checked yet", cancelled orders, times
in the shop's zone (broken-channel's shop is in America/Chicago)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from orderguard.orders.models import SocialOrder
from orderguard.orders.polling import poll_shop
from orderguard.orders.selectors import OrderListQuery, orders_list, stuck_orders
from orderguard.orders.shop_time import shop_datetime
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.meta.models import MetaOrder
from orderguard.sandbox.meta.representations import graph_time
from tests.factories import make_meta_connection, make_poll_state, make_shop
from tests.helpers import bearer
from tests.scenarios import BROKEN_CMS, BROKEN_SHOP

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

CREATED_NOT_IMPORTED = "2904417823351201"
IMPORTED_ACCEPTED = "2904417823351208"
CANCELLED = "2904417823351211"
CHICAGO = ZoneInfo("America/Chicago")


def _rewrite(order_id: str, **answer) -> None:
    sandbox_meta.inject_fault(BROKEN_CMS, "order_rewrite", order_id=order_id, answer=answer)


def _page(client, **params) -> str:
    return client.get("/app/", params, headers=bearer(BROKEN_SHOP)).content.decode()


def test_completed_outside_shopify_is_fine_with_a_note_and_not_in_needs_action(client, installed_shop):
    _rewrite(CREATED_NOT_IMPORTED, order_status={"state": "COMPLETED"})

    assert poll_shop(shop=installed_shop.shop).outcome == "ok"

    row = SocialOrder.objects.get(meta_order_id=CREATED_NOT_IMPORTED)
    assert (row.status, row.reason, row.needs_action) == ("fine", "shipped_outside_shopify", False)
    assert CREATED_NOT_IMPORTED not in {o.meta_order_id for o in stuck_orders(shop=installed_shop.shop)}
    assert "Shipped outside Shopify" in _page(client, tab="all")


def test_an_accepted_order_near_the_auto_cancel_needs_action_with_its_date_in_the_shops_zone(client, installed_shop):
    placed = timezone.now() - timedelta(days=24)
    _rewrite(IMPORTED_ACCEPTED, created=graph_time(placed))

    assert poll_shop(shop=installed_shop.shop).outcome == "ok"

    row = SocialOrder.objects.get(meta_order_id=IMPORTED_ACCEPTED)
    assert (row.status, row.reason, row.needs_action) == ("nearing_auto_cancel", "auto_cancel_soon", True)
    assert row.stuck_since == row.meta_created_at + timedelta(days=23)  # from the facts: the warning began
    deadline = shop_datetime(row.deadline_at, zone=CHICAGO, locale="en_US")
    assert deadline.endswith(" CST")
    html = _page(client, tab="needs_action")
    assert f"ship it before {deadline} or Meta cancels it" in html


def test_a_cancelled_order_is_cancelled_not_fine_and_resolved_holds_only_recovered_orders(client, installed_shop):
    shop = installed_shop.shop
    assert poll_shop(shop=shop).outcome == "ok"

    assert SocialOrder.objects.get(meta_order_id=CANCELLED).status == "cancelled"
    resolved = orders_list(shop=shop, query=OrderListQuery(tab="resolved")).orders
    assert resolved == []  # nothing needed action and recovered yet: always-fine and cancelled orders are not "resolved"
    everything = {o.meta_order_id: o.status for o in orders_list(shop=shop, query=OrderListQuery(tab="all")).orders}
    assert everything[CANCELLED] == "cancelled" and everything[IMPORTED_ACCEPTED] == "fine"
    html = _page(client, tab="all")
    assert 'tone="neutral">Cancelled</s-badge>' in html


def test_the_timeline_and_the_facts_are_in_the_shops_zone(client, installed_shop):
    poll_shop(shop=installed_shop.shop)
    row = SocialOrder.objects.get(meta_order_id=CREATED_NOT_IMPORTED)

    detail = client.get(f"/app/orders/{row.pk}/", headers=bearer(BROKEN_SHOP)).content.decode()

    placed = shop_datetime(row.meta_created_at, zone=CHICAGO, locale="en_US")
    assert placed.endswith(" CST") and placed in detail
    assert shop_datetime(row.stuck_since, zone=CHICAGO, locale="en_US") in detail  # "needs action since"


@pytest.mark.parametrize(
    "connected, poll_state, words",
    [
        (False, None, "Connect your Meta commerce account so OrderGuard can check your orders."),
        (True, None, "The first check is running"),
        (True, {"last_error_message": "Meta answered 500"}, "The last check failed: Meta answered 500"),
    ],
    ids=["not connected", "first poll running", "last poll failed"],
)
def test_before_the_first_successful_poll_the_page_says_not_checked_yet_and_why(client, connected, poll_state, words):
    shop = make_shop(domain="unchecked.myshopify.com")
    if connected:
        make_meta_connection(shop=shop)
    if poll_state is not None:
        make_poll_state(shop=shop, **poll_state)

    html = client.get("/app/", headers=bearer("unchecked.myshopify.com")).content.decode()

    assert 'data-testid="not-checked-yet"' in html and words in html
    assert "No stuck orders" not in html and "No order needs action" not in html


@pytest.mark.installed_shop(scenario="demo")
def test_the_demo_shows_each_case_to_a_merchant(installed_shop):
    assert poll_shop(shop=installed_shop.shop).outcome == "ok"

    by_id = {o.meta_order_id: o for o in SocialOrder.objects.filter(shop=installed_shop.shop)}
    assert (by_id["5802217736410459"].status, by_id["5802217736410459"].reason) == ("fine", "shipped_outside_shopify")
    assert by_id["3390716254408832"].status == "nearing_auto_cancel"
    assert (by_id["7741095530216687"].status, by_id["7741095530216687"].meta_state) == ("unknown_meta_state", "ON_HOLD")


def test_the_settings_and_meta_pages_give_their_times_in_the_shops_zone_too(client, installed_shop):
    assert poll_shop(shop=installed_shop.shop).outcome == "ok"
    shop = installed_shop.shop
    shop.refresh_from_db()
    from orderguard.orders.models import PollState

    last_check = PollState.objects.get(shop=shop).last_success_at
    meta_page = client.get("/app/meta/", headers=bearer(BROKEN_SHOP)).content.decode()
    settings_page = client.get("/app/settings/", headers=bearer(BROKEN_SHOP)).content.decode()

    assert shop_datetime(last_check, zone=CHICAGO, locale="en_US") in meta_page
    installed = shop_datetime(shop.installed_at, zone=CHICAGO, locale="en_US")
    assert installed.endswith((" CST", " CDT")) and installed in settings_page
