"""In chromium, through the sandbox admin: add a Slack destination on the settings page (pointing at a
loopback Slack receiver), send a test and see the receiver's answer. Screenshots at 1440 and 390 pixels
wide, in English and Dutch, go to test-artifacts/."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from orderguard.alerts.models import AlertDestination
from tests.browser import ARTIFACTS, chromium_page
from tests.helpers import SHOP_A, make_sandbox_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]

SETTINGS_URL = f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/alpha-goods/apps/orderguard/settings/"
WORDS = {
    "en": {"add": "Add destination", "kind": "Kind", "target": "Address or webhook URL", "test": "Send test", "delivered": "Test delivered."},
    "nl": {"add": "Bestemming toevoegen", "kind": "Soort", "target": "Adres of webhook-URL", "test": "Test versturen", "delivered": "Test afgeleverd."},
}


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("width", [1440, 390])
def test_add_a_slack_destination_send_a_test_and_see_the_answer(app_server, slack_hook, language, width):
    make_sandbox_shop(SHOP_A, name="Alpha Goods", currency="EUR")
    words = WORDS[language]
    with chromium_page(locale="nl-NL" if language == "nl" else "en-US", width=1440, height=2200) as page:
        page.goto(f"{SETTINGS_URL}?locale={language}")
        # The app gets the whole width on a phone (Shopify's mobile admin has no sidebar): the frame is set
        # to the phone's width, as the sandbox admin's own layout keeps its sidebar.
        if width < 1440:
            page.locator("#app-frame").evaluate(f"frame => {{ frame.style.flex = 'none'; frame.style.width = '{width}px'; }}")
        frame = page.frame_locator("#app-frame")
        section = frame.locator("#alert-destinations")
        expect(section.get_by_role("button", name=words["add"])).to_be_visible(timeout=15_000)
        section.get_by_label(words["kind"]).select_option("slack")
        section.get_by_label(words["target"]).fill(slack_hook.url("/services/T000/B000/loopback"))
        section.get_by_role("button", name=words["add"]).click()
        row = section.get_by_test_id("destination")
        expect(row).to_have_count(1, timeout=10_000)
        row.get_by_role("button", name=words["test"]).click()
        answer = section.get_by_test_id("test-answer")
        expect(answer).to_contain_text(words["delivered"], timeout=10_000)
        expect(answer).to_contain_text("HTTP 200")
        expect(answer).to_contain_text("ok")
        app = page.frame(url=lambda url: url.startswith(settings.APP_URL))
        # No sideways scrolling, also on a phone.
        assert app.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
        # The whole app page: the frame grows to its content, then the frame is photographed.
        height = app.evaluate("document.documentElement.scrollHeight")
        page.locator("#app-frame").evaluate(f"frame => {{ frame.style.flex = 'none'; frame.style.height = '{height}px'; }}")
        page.locator("#app-frame").screenshot(path=ARTIFACTS / f"alert-destinations-{language}-{width}.png")

    [received] = slack_hook.received
    assert received.path == "/services/T000/B000/loopback" and received.json()["blocks"][0]["type"] == "header"
    assert AlertDestination.objects.get().verified_at is not None
