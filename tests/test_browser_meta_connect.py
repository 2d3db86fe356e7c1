"""In chromium: connecting Meta with Facebook Login from inside the admin iframe. The login runs in a
popup (it cannot run in the iframe), the merchant picks the commerce account, the popup tells the app,
and the connection card updates in place."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from orderguard.meta_connections.models import MetaConnection
from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.scenarios.loader import load_file
from tests.browser import ARTIFACTS, chromium_page
from tests.scenarios import BROKEN_CHANNEL, BROKEN_CMS, BROKEN_SHOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]


def test_facebook_login_in_a_popup_connects_the_shop(app_server):
    load_file(BROKEN_CHANNEL)
    SandboxShop.objects.filter(domain=BROKEN_SHOP).update(app_installed=True, granted_scopes=app_toml_scopes())
    url = f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/{BROKEN_SHOP.removesuffix('.myshopify.com')}/apps/orderguard/meta/"
    with chromium_page() as page:
        page.goto(url)
        frame = page.frame_locator("#app-frame")
        login = frame.get_by_role("link", name="Continue with Facebook")
        expect(login).to_be_visible(timeout=15_000)
        page.screenshot(path=ARTIFACTS / "meta-connect-en.png")

        with page.context.expect_page() as popup_info:
            login.click()
        popup = popup_info.value
        popup.wait_for_load_state()
        expect(popup.get_by_role("button", name="Continue as")).to_be_visible()
        popup.get_by_role("button", name="Continue as").click()
        expect(popup.get_by_role("heading", name="Choose the commerce account to watch")).to_be_visible(timeout=15_000)
        # Connecting validates the token with (the local) Meta several times over before the window closes:
        # on a loaded 2-core machine that can take longer than a page step. The window closes itself right
        # after its page commits, so the close listener is set up before the click: Playwright drops an event
        # nobody listens for, and a wait started after the close would wait for one that never comes.
        try:
            with popup.expect_event("close", timeout=45_000):
                popup.get_by_role("button", name="Connect this account").click()
        except Exception:
            if not popup.is_closed():
                popup.screenshot(path=ARTIFACTS / "meta-connect-popup-not-closed.png")
                raise AssertionError(f"the login window did not close; it shows: {popup.inner_text('body')[:500]!r}") from None
            raise

        expect(frame.get_by_test_id("cms-name")).to_contain_text("Fernhill Supply Co.", timeout=15_000)
        page.screenshot(path=ARTIFACTS / "meta-connected-en.png")

    connection = MetaConnection.objects.get(shop__domain=BROKEN_SHOP)
    assert (connection.commerce_account_id, connection.source, connection.status) == (BROKEN_CMS, "facebook_login", "connected")
