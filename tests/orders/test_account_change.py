"""Issue 8 item 2: when a shop's commerce account changes (reconnected to another account, or
disconnected), the previous account's orders and buyer data leave the shop at once, and the new account is
swept in full at the next poll (not at the next six-hourly sweep)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.services import meta_connection_connect, meta_connection_disconnect
from orderguard.orders.models import SocialOrder, SocialOrderEvent
from orderguard.orders.polling import poll_shop
from orderguard.orders.selectors import stuck_orders
from orderguard.sandbox.scenarios.loader import load_file
from tests.helpers import bearer
from tests.scenarios import BROKEN_CMS, BROKEN_SHOP

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

OTHER_CMS = "781204456120018"  # the healthy-channel scenario's account (another merchant's)


def _other_account_token() -> str:
    result = load_file("healthy-channel")
    return result.tokens[0].value


def test_switching_to_another_account_forgets_the_old_orders_and_sweeps_the_new_one_at_once(client, installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    assert SocialOrder.objects.filter(shop=shop, commerce_account_id=BROKEN_CMS).count() == 11

    meta_connection_connect(shop=shop, commerce_account_id=OTHER_CMS, access_token=_other_account_token(), source=MetaConnection.Source.OPERATOR)

    assert not SocialOrder.objects.filter(shop=shop, commerce_account_id=BROKEN_CMS).exists()
    assert not SocialOrderEvent.objects.filter(shop=shop).exists()
    page = client.get("/app/?tab=all", headers=bearer(BROKEN_SHOP))
    assert b"2904417823351201" not in page.content  # an order of the previous account
    report = poll_shop(shop=shop)
    assert report.full_sweep is True
    orders = SocialOrder.objects.filter(shop=shop)
    assert orders.count() > 0 and set(orders.values_list("commerce_account_id", flat=True)) == {OTHER_CMS}


def test_reconnecting_the_same_account_keeps_its_orders(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    meta_connection_connect(shop=shop, commerce_account_id=BROKEN_CMS, access_token=installed_shop.meta_token, source=MetaConnection.Source.OPERATOR)
    assert SocialOrder.objects.filter(shop=shop).count() == 11


def test_disconnecting_takes_the_orders_off_the_page_the_export_and_the_command(client, installed_shop, capsys):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    ids = [str(order.pk) for order in stuck_orders(shop=shop)]
    before = client.post("/app/orders/export", {"ids": ids}, headers=bearer(BROKEN_SHOP))
    assert before.status_code == 200 and b"2904417823351201" in b"".join(before.streaming_content)

    assert meta_connection_disconnect(shop=shop) is True
    assert meta_connection_disconnect(shop=shop) is False  # a second click changes nothing

    assert not SocialOrder.objects.filter(shop=shop).exists()
    export = client.post("/app/orders/export", {"ids": ids}, headers=bearer(BROKEN_SHOP))
    exported = b"".join(export.streaming_content)
    assert export.status_code == 200 and b"Meta order" in exported and b"2904417823351201" not in exported
    call_command("stuck_orders", BROKEN_SHOP, "--json")
    assert "2904417823351201" not in capsys.readouterr().out
