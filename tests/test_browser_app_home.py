"""In chromium: the sandbox admin frames the app, which installs itself through the real token-exchange
path and shows the shop's name; htmx requests carry App Bridge ID tokens; the bounce page recovers."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from orderguard.shops.models import Shop
from tests.browser import ARTIFACTS, chromium_page
from tests.helpers import SHOP_A, make_sandbox_shop, sandbox_calls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]

ADMIN_APP_URL = f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/alpha-goods/apps/orderguard"
SETTINGS_URL = f"{ADMIN_APP_URL}/settings/"


def test_the_app_loads_in_the_sandbox_admin_and_shows_the_shop(app_server):
    make_sandbox_shop(SHOP_A, name="Alpha Goods", currency="EUR", installed=False)
    with chromium_page() as page:
        page.goto(SETTINGS_URL)
        frame = page.frame_locator("#app-frame")
        expect(frame.get_by_test_id("shop-name")).to_have_text("Alpha Goods", timeout=15_000)
        expect(frame.get_by_test_id("shop-currency")).to_have_text("EUR")
        page.screenshot(path=ARTIFACTS / "app-home-in-sandbox-admin.png")

        # An htmx POST: the token comes from the App Bridge stand-in, the toast goes back to the admin.
        frame.get_by_role("button", name="Refresh from Shopify").click()
        expect(page.locator(".sb-toast")).to_contain_text("Shop details updated", timeout=10_000)

    assert Shop.objects.get(domain=SHOP_A).status == Shop.Status.ACTIVE
    assert sandbox_calls("token_exchange", SHOP_A) == 1
    assert sandbox_calls("graphql:OrderGuardShopDetails", SHOP_A) == 2


def test_a_page_load_without_a_token_comes_back_through_the_bounce_page(app_server):
    make_sandbox_shop(SHOP_A, name="Alpha Goods", currency="EUR")
    with chromium_page() as page:
        page.goto(SETTINGS_URL)
        frame = page.frame_locator("#app-frame")
        expect(frame.get_by_test_id("shop-name")).to_have_text("Alpha Goods", timeout=15_000)

        app_frame = page.frame(url=lambda url: url.startswith(settings.APP_URL))
        app_frame.evaluate("window.__firstDocument = true")
        # A plain page load without a token; navigate after evaluate() returns, so the navigation cannot
        # destroy the context evaluate runs in.
        app_frame.evaluate("setTimeout(() => { window.location.href = '/app/settings/?embedded=1&shop=alpha-goods.myshopify.com'; }, 0)")
        # Through the bounce page and back: the final URL carries a fresh id_token (and none of the first
        # load's parameters).
        app_frame.wait_for_url(lambda url: "/app/settings/" in url and "id_token=" in url and "host=" not in url, timeout=15_000)
        expect(frame.get_by_test_id("shop-name")).to_have_text("Alpha Goods", timeout=15_000)
        assert app_frame.evaluate("window.__firstDocument") is None  # a new document, not the first one
