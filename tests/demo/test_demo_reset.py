"""`rundemo --reset` reloads the sandbox and the app's view of the demo shop with it: after the first poll
the page shows the fresh scenario's orders only, with Shopify links to orders the sandbox has."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderguard.demo.seed import DEMO_SHOP_DOMAIN, demo_app_forget, demo_install_and_connect, demo_load
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState, ShopifySocialOrder, SocialOrder
from orderguard.orders.polling import PollOutcome, poll_shop
from orderguard.sandbox.models import SandboxShopifyOrder
from orderguard.shops.models import OfflineToken, Shop, ShopPreferences
from tests.factories import make_social_order

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def _fresh_demo(app_server) -> Shop:
    demo_load(reset=True)
    demo_app_forget()
    shop = demo_install_and_connect()
    assert poll_shop(shop=shop, full=True).outcome == PollOutcome.OK
    return shop


def test_a_reset_forgets_the_demo_shops_rows_and_the_first_poll_refills_them_from_the_new_scenario(app_server):
    shop = _fresh_demo(app_server)
    scenario_orders = set(SocialOrder.objects.filter(shop=shop).values_list("meta_order_id", flat=True))
    assert scenario_orders
    # What a previous demo left behind: an order the new scenario does not have, with a Shopify link.
    make_social_order(shop=shop, meta_order_id="9999999999999999", status="imported_not_acknowledged", reason="imported_not_acknowledged",
                      age=timedelta(days=2), shopify_order_id="gid://shopify/Order/424242", shopify_order_name="#9999")
    ShopPreferences.objects.create(shop=shop, grace_minutes=120, auto_cancel_warning_days=3)

    forgotten = demo_app_forget()
    assert {"orders.SocialOrder", "orders.PollState", "meta_connections.MetaConnection", "shops.OfflineToken"} <= set(forgotten)
    assert Shop.objects.filter(pk=shop.pk).exists()  # the install stays
    for model in (SocialOrder, ShopifySocialOrder, PollState, MetaConnection, OfflineToken, ShopPreferences):
        assert not model.objects.filter(shop=shop).exists(), model

    reset = _fresh_demo(app_server)
    assert reset.pk == shop.pk
    orders = SocialOrder.objects.filter(shop=reset)
    assert set(orders.values_list("meta_order_id", flat=True)) == scenario_orders
    linked = set(orders.exclude(shopify_order_id="").values_list("shopify_order_id", flat=True))
    in_sandbox = {order.gid for order in SandboxShopifyOrder.objects.filter(shop__domain=DEMO_SHOP_DOMAIN)}
    assert linked and "gid://shopify/Order/424242" not in linked and linked <= in_sandbox


def test_forgetting_when_the_app_never_saw_the_demo_shop_is_a_no_op(db):
    assert demo_app_forget() == {}
