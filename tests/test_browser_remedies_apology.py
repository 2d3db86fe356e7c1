"""In chromium, through the sandbox admin: draft an apology for a stuck order from its drawer, switch it
to Dutch, edit it, send it from the app; the worker's run shows as sent in the drawer. Screenshots in
English and Dutch, at 1440 and 390 px, go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from orderguard.orders.polling import poll_shop
from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_run
from tests.browser import ARTIFACTS, chromium_page
from tests.scenarios import BROKEN_SHOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]

ADMIN_APP_URL = f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/{BROKEN_SHOP.removesuffix('.myshopify.com')}/apps/orderguard"
ORDER_ID = "2904417823351201"


@pytest.fixture
def polled_broken_shop(installed_shop):
    assert poll_shop(shop=installed_shop.shop).outcome == "ok"
    return installed_shop.shop


def _open_draft(page, *, locale: str):
    page.goto(f"{ADMIN_APP_URL}?locale={locale}")
    frame = page.frame_locator("#app-frame")
    # By keyboard: at 390 px the table scrolls sideways under its neighbouring cells.
    frame.get_by_role("link", name=ORDER_ID).focus()
    frame.get_by_role("link", name=ORDER_ID).press("Enter")
    frame.get_by_test_id("apology-draft-button").click()
    form = frame.get_by_test_id("apology-form")
    expect(form).to_be_visible(timeout=10_000)
    return frame, form


@pytest.mark.parametrize("width", [1440, 390])
def test_draft_edit_and_send_an_apology_in_dutch(polled_broken_shop, width):
    with chromium_page(locale="nl-NL", width=width) as page:
        frame, form = _open_draft(page, locale="nl")
        frame.get_by_test_id("apology-language").select_option("nl")
        expect(frame.get_by_test_id("apology-body")).to_contain_text("Beste", timeout=10_000)
        expect(frame.get_by_test_id("apology-subject")).to_have_value(re.compile("onze excuses$"))
        form = frame.get_by_test_id("apology-form")
        expect(form).to_contain_text("doorstuuradres van Meta")
        expect(form).to_contain_text("Geen excuuskorting")
        body = frame.get_by_test_id("apology-body")
        body.fill(body.input_value() + "\nPS: we hebben je bestelling voor je klaargezet.\n")
        assert "PS%3A%20we%20hebben" in frame.get_by_test_id("apology-mailto").get_attribute("href")  # the mailto link follows the edit
        page.screenshot(path=ARTIFACTS / f"apology-draft-nl-{width}.png", full_page=True)

        frame.get_by_test_id("apology-send").dblclick()  # a double click: one action
        status = frame.get_by_test_id("apology-status")
        expect(status).to_be_visible(timeout=10_000)
        (action,) = RemediationAction.objects.filter(order__meta_order_id=ORDER_ID)
        remediation_action_run(action_id=action.pk)  # what the worker on the actions queue does
        expect(status).to_contain_text("Verstuurd aan", timeout=10_000)
        page.screenshot(path=ARTIFACTS / f"apology-sent-nl-{width}.png", full_page=True)

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert "PS: we hebben je bestelling voor je klaargezet." in sent.body and sent.body.startswith("Beste")
    assert RemediationAction.objects.get().params["language"] == "nl"


def test_the_draft_in_english(polled_broken_shop):
    for width in (1440, 390):
        with chromium_page(width=width) as page:
            frame, form = _open_draft(page, locale="en")
            expect(frame.get_by_test_id("apology-body")).to_contain_text("Dear", timeout=10_000)
            expect(form).to_contain_text("relay address from Meta")
            page.screenshot(path=ARTIFACTS / f"apology-draft-en-{width}.png", full_page=True)
