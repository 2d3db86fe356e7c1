"""In chromium, through the sandbox admin, in English and Dutch: axe-core (bundled by axe-playwright-python,
nothing downloaded) finds no serious or critical violation on any page of the app (orders, the order
drawer, the Meta connection, settings, the Facebook login window); at a phone's width (390 px) nothing
overflows, each order is a condensed row and the selected tab stays in view; the status tabs work with the
keyboard. Screenshots at 1440 px and 390 px go to test-artifacts/."""

from __future__ import annotations

import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from orderguard.orders.polling import poll_shop
from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.scenarios.loader import load_file
from tests.browser import ARTIFACTS, chromium_page
from tests.scenarios import BROKEN_CHANNEL, BROKEN_SHOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]

ADMIN_APP_URL = f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/{BROKEN_SHOP.removesuffix('.myshopify.com')}/apps/orderguard"
LANGUAGES = [("en", "en-US"), ("nl", "nl-NL")]
WORDS = {
    "en": {"processing": "In processing", "resolved": "Resolved", "all": "All", "needs": "Needs action", "login": "Continue with Facebook"},
    "nl": {"processing": "In behandeling", "resolved": "Opgelost", "all": "Alle", "needs": "Actie nodig", "login": "Doorgaan met Facebook"},
}
AXE = Axe()


def _serious(frame_or_page) -> list[str]:
    """axe's serious and critical violations, one line each (rule, impact, first offending element)."""
    results = AXE.run(frame_or_page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['nodes'][0]['target']} {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def _app_frame(page):
    return page.frame(url=lambda url: url.startswith(settings.APP_URL))


def _overflow(frame) -> int:
    """How far the app's page is wider than its frame (0: nothing scrolls sideways)."""
    return frame.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def polled_broken_shop(installed_shop):
    assert poll_shop(shop=installed_shop.shop).outcome == "ok"
    return installed_shop.shop


@pytest.mark.parametrize("language, browser_locale", LANGUAGES)
def test_every_app_page_passes_axe_at_desktop_width(polled_broken_shop, language, browser_locale):
    words = WORDS[language]
    with chromium_page(locale=browser_locale, width=1440, height=1000) as page:
        page.goto(f"{ADMIN_APP_URL}?locale={language}")
        frame = page.frame_locator("#app-frame")
        expect(frame.get_by_test_id("needs-action-count")).to_have_text("5", timeout=15_000)
        app = _app_frame(page)
        # App Bridge draws the title and the menu: the page shows neither a second time.
        expect(page.get_by_test_id("sb-title-bar")).not_to_have_text("OrderGuard", timeout=15_000)
        expect(frame.locator(".og-local-nav")).to_be_hidden()
        expect(frame.get_by_role("heading", level=1)).to_be_attached()
        page.screenshot(path=ARTIFACTS / f"a11y-orders-{language}-1440.png")
        assert _serious(app) == []
        # The orders table fits the page at desktop width in every language (long Dutch statuses wrap).
        for tab in ("needs_action", "all"):
            frame.locator(f"#orders-tab-{tab}").click()
            expect(frame.locator(f"#orders-tab-{tab}")).to_have_attribute("aria-selected", "true", timeout=10_000)
            assert app.evaluate("(() => { const wrap = document.querySelector('.og-table-wrap'); return wrap.scrollWidth - wrap.clientWidth; })()") <= 0
        frame.locator("#orders-tab-needs_action").click()
        expect(frame.locator("#orders-tab-needs_action")).to_have_attribute("aria-selected", "true", timeout=10_000)

        # The tabs are ARIA tabs, driven by the arrow keys: focus and selection move, the list follows.
        selected = frame.get_by_role("tab", selected=True)
        expect(selected).to_contain_text(words["needs"])
        selected.focus()
        # After each load the selected tab has the focus again, so the next key press moves on from it,
        # even one pressed before htmx has settled the swap (slowed down here so the key surely lands
        # there): it loads the tab in place, it does not follow the plain link and reload the page.
        app.evaluate("() => { window.ogSamePage = true; htmx.config.defaultSettleDelay = 1500; }")
        page.keyboard.press("ArrowRight")
        expect(frame.get_by_role("tab", selected=True)).to_contain_text(words["processing"], timeout=10_000)
        expect(frame.get_by_role("tab", selected=True)).to_be_focused(timeout=10_000)
        page.keyboard.press("ArrowRight")
        expect(frame.get_by_role("tab", selected=True)).to_contain_text(words["resolved"], timeout=10_000)
        expect(frame.get_by_role("tab", selected=True)).to_be_focused(timeout=10_000)
        assert app.evaluate("() => window.ogSamePage === true && htmx.config.defaultSettleDelay === 1500")
        app.evaluate("() => { htmx.config.defaultSettleDelay = 20; }")
        expect(frame.get_by_role("tabpanel")).to_be_visible()
        page.keyboard.press("End")
        expect(frame.get_by_role("tab", selected=True)).to_contain_text(words["all"], timeout=10_000)

        # A row opens the order's drawer (clicking the row, not only its link).
        frame.locator("tbody tr[data-meta-order-id]").first.locator("td.og-col-buyer").click()
        drawer = frame.get_by_test_id("order-detail")
        expect(drawer).to_be_visible(timeout=10_000)
        page.wait_for_timeout(300)  # the drawer's slide-in
        page.screenshot(path=ARTIFACTS / f"a11y-drawer-{language}-1440.png")
        assert _serious(app) == []

        page.goto(f"{ADMIN_APP_URL}/meta/?locale={language}")
        expect(frame.get_by_test_id("cms-name")).to_be_visible(timeout=15_000)
        page.screenshot(path=ARTIFACTS / f"a11y-meta-{language}-1440.png")
        assert _serious(_app_frame(page)) == []

        page.goto(f"{ADMIN_APP_URL}/settings/?locale={language}")
        expect(frame.get_by_test_id("shop-name")).to_be_visible(timeout=15_000)
        page.screenshot(path=ARTIFACTS / f"a11y-settings-{language}-1440.png")
        assert _serious(_app_frame(page)) == []


def test_the_latest_tab_clicked_wins_even_when_an_earlier_answer_lands_first(polled_broken_shop):
    """Each request waits for its ID token before it goes out. Here the second click's token is slow, so
    the first click's answer arrives while the second request has not even left: the list must end on
    the second tab, not on the first (or stuck in an element the first answer replaced)."""
    tokens = {"asked": 0}

    def slow_second_token(route):
        tokens["asked"] += 1
        if tokens["asked"] == 2:
            threading.Event().wait(1.5)
        route.continue_()

    with chromium_page(width=1440, height=1000) as page:
        page.goto(f"{ADMIN_APP_URL}?locale=en")
        frame = page.frame_locator("#app-frame")
        expect(frame.get_by_test_id("needs-action-count")).to_have_text("5", timeout=15_000)
        page.route("**/id-token", slow_second_token)
        # Both clicks in one go, so the second surely comes before the first answer.
        _app_frame(page).evaluate("() => { document.getElementById('orders-tab-processing').click(); document.getElementById('orders-tab-all').click(); }")
        expect(frame.locator("#orders-tab-all")).to_have_attribute("aria-selected", "true", timeout=10_000)
        page.wait_for_timeout(500)  # nothing older lands after it
        expect(frame.locator("#orders-tab-all")).to_have_attribute("aria-selected", "true")
        assert tokens["asked"] >= 2
        assert "tab=all" in _app_frame(page).url


@pytest.mark.parametrize("language, browser_locale", LANGUAGES)
def test_every_app_page_fits_a_phone(polled_broken_shop, language, browser_locale):
    words = WORDS[language]
    with chromium_page(locale=browser_locale, width=390, height=844) as page:
        page.goto(f"{ADMIN_APP_URL}?locale={language}")
        frame = page.frame_locator("#app-frame")
        expect(frame.get_by_test_id("needs-action-count")).to_have_text("5", timeout=15_000)
        app = _app_frame(page)
        assert _overflow(app) == 0
        # Each order is a condensed row: id, buyer, amount, status and deadline all inside the screen.
        row = frame.locator("tbody tr[data-meta-order-id]").first
        row.scroll_into_view_if_needed()  # below the summary cards on a phone; what matters is the width
        for cell in ("th.og-order-id", "td.og-col-buyer", "td.og-col-amount", "td.og-col-status", "td.og-col-deadline"):
            expect(row.locator(cell)).to_be_in_viewport()
        expect(row.locator("td.og-col-items")).to_be_hidden()
        page.screenshot(path=ARTIFACTS / f"a11y-orders-{language}-390.png")
        assert _serious(app) == []

        # The last tab, once selected, is scrolled into view in the one-line tab bar.
        frame.get_by_role("tab", name=words["all"]).click()
        expect(frame.get_by_role("tab", selected=True)).to_contain_text(words["all"], timeout=10_000)
        expect(frame.get_by_role("tab", selected=True)).to_be_in_viewport(ratio=1)
        frame.locator("tbody tr[data-meta-order-id] a[data-og-row-primary]").first.click()
        expect(frame.get_by_test_id("order-detail")).to_be_visible(timeout=10_000)
        page.wait_for_timeout(300)
        page.screenshot(path=ARTIFACTS / f"a11y-drawer-{language}-390.png")
        assert _app_frame(page).evaluate("document.getElementById('order-drawer').scrollWidth <= document.getElementById('order-drawer').clientWidth")

        for path, ready in (("meta/", "cms-name"), ("settings/", "shop-name")):
            page.goto(f"{ADMIN_APP_URL}/{path}?locale={language}")
            expect(frame.get_by_test_id(ready)).to_be_visible(timeout=15_000)
            name = path.strip("/")
            page.screenshot(path=ARTIFACTS / f"a11y-{name}-{language}-390.png", full_page=True)
            assert _overflow(_app_frame(page)) == 0, path
            assert _serious(_app_frame(page)) == []


@pytest.mark.parametrize("language, browser_locale", LANGUAGES)
def test_the_facebook_login_window_passes_axe(app_server, language, browser_locale):
    load_file(BROKEN_CHANNEL)
    SandboxShop.objects.filter(domain=BROKEN_SHOP).update(app_installed=True, granted_scopes=app_toml_scopes())
    with chromium_page(locale=browser_locale, width=1440, height=1000) as page:
        page.goto(f"{ADMIN_APP_URL}/meta/?locale={language}")
        frame = page.frame_locator("#app-frame")
        login = frame.get_by_role("link", name=WORDS[language]["login"])
        expect(login).to_be_visible(timeout=15_000)
        assert _serious(_app_frame(page)) == []

        with page.context.expect_page() as popup_info:
            login.click()
        popup = popup_info.value
        popup.wait_for_load_state()
        popup.get_by_role("button", name="Continue as").click()
        expect(popup.locator("form button[type=submit]")).to_be_visible(timeout=15_000)
        popup.screenshot(path=ARTIFACTS / f"a11y-login-choose-{language}.png")
        assert _serious(popup) == []
