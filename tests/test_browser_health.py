"""In chromium, through the sandbox admin, on a shop whose Facebook & Instagram channel broke: the health
panel names the problem, the support dossier downloads with the stuck orders, the guided reconnect's steps
are confirmed, the merchant reconnects the channel in the sandbox admin, the workers' verification (run
here directly, time moved rather than slept) passes and the page shows it. The checkout review and the
answers in English and Dutch. Screenshots at 1440 and 390 px go to test-artifacts/."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from orderguard.health import tasks
from orderguard.health.models import ReconnectSession
from orderguard.health.reconnect import STEP_CODES
from orderguard.health.services import health_checks_run
from tests.browser import ARTIFACTS, chromium_page
from tests.health.builders import health_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]

ADMIN = f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/lakeside-goods"
STUCK = {"2904417823359101", "2904417823359102"}
WIDE, NARROW = 1440, 390


@pytest.fixture
def broken_shop(client, app_server):
    shop = health_shop(client, "broken-channel")
    health_checks_run(shop=shop)
    return shop


def _shots(page, name: str) -> None:
    """The page at 1440 and at 390 px wide."""
    for width in (WIDE, NARROW):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)
        page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": WIDE, "height": 900})


def test_broken_channel_to_verified_reconnect_in_the_admin(broken_shop):
    with chromium_page(width=WIDE, height=900) as page:
        page.goto(f"{ADMIN}/apps/orderguard/health/")
        frame = page.frame_locator("#app-frame")
        expect(frame.get_by_test_id("check-meta.orders_acknowledged")).to_have_attribute("data-result", "failing", timeout=15_000)
        expect(frame.locator("#health-summary-title")).to_have_text("Something is broken")
        _shots(page, "health-panel-en")

        # The dossier downloads (through fetch with an ID token) and lists the stuck orders.
        with page.expect_download() as download_info:
            frame.get_by_test_id("download-dossier").click()
        archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))
        rows = list(csv.DictReader(io.StringIO(archive.read("stuck-orders.csv").decode("utf-8-sig"))))
        assert {row["Meta order"] for row in rows} == STUCK
        assert "report.html" in archive.namelist()

        # The checkout review and the answers, from the panel.
        frame.get_by_test_id("open-checkout-review").click()
        expect(frame.get_by_test_id("checkout-review")).to_be_visible(timeout=10_000)
        _shots(page, "health-checkout-en")
        frame.get_by_role("link", name="Back to the health checks").click()
        frame.get_by_test_id("open-answers").click()
        expect(frame.get_by_test_id("answer-charged")).to_contain_text("the payment is only authorised", timeout=10_000)
        _shots(page, "health-answers-en")
        frame.get_by_test_id("answer-link-reconnect").click()

        # The guided reconnect: every step confirmed and recorded.
        frame.get_by_test_id("reconnect-start").click()
        for step in STEP_CODES:
            frame.get_by_test_id(f"confirm-{step}").click()
            expect(frame.get_by_test_id(f"step-{step}")).to_have_attribute("data-confirmed", "yes", timeout=10_000)
        expect(frame.get_by_test_id("reconnect-status")).to_have_attribute("data-status", "verifying")
        _shots(page, "health-reconnect-verifying-en")
        channel_link = frame.get_by_test_id("step-link-channel_reconnect").get_attribute("href")
        assert channel_link.endswith("/_sandbox/admin/store/lakeside-goods/apps/facebook")

        # The merchant reconnects the channel in the (sandbox) Shopify admin: the sandbox heals.
        page.goto(channel_link)
        # Wait for the form's answer, not for a load state (the page before the POST is already loaded): the
        # verification below must see the channel the POST reconnected.
        with page.expect_response(lambda response: response.request.method == "POST" and "/apps/facebook" in response.url):
            page.get_by_test_id("sandbox-reconnect-channel").click()
        page.wait_for_load_state()

        session = ReconnectSession.objects.get(shop=broken_shop)
        tasks.verify_reconnect_task(session_id=session.pk)  # right away: the channel has not acted yet
        session.refresh_from_db()
        assert session.status == "verifying"
        with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
            tasks.verify_reconnect_task(session_id=session.pk)
        session.refresh_from_db()
        assert (session.status, session.outcome) == ("succeeded", "orders_acknowledged")

        # The page shows the verified outcome after a reload, and the panel is green again.
        page.goto(f"{ADMIN}/apps/orderguard/health/reconnect/")
        frame = page.frame_locator("#app-frame")
        expect(frame.get_by_test_id("reconnect-status")).to_have_attribute("data-status", "succeeded", timeout=15_000)
        expect(frame.get_by_test_id("reconnect-status")).to_have_text("It worked: orders reach Shopify again")
        _shots(page, "health-reconnect-succeeded-en")
        page.goto(f"{ADMIN}/apps/orderguard/health/")
        expect(frame.get_by_test_id("check-meta.orders_acknowledged")).to_have_attribute("data-result", "pass", timeout=15_000)


def test_the_health_pages_in_dutch(broken_shop):
    with chromium_page(locale="nl-NL", width=WIDE, height=900) as page:
        page.goto(f"{ADMIN}/apps/orderguard/health/?locale=nl")
        frame = page.frame_locator("#app-frame")
        expect(frame.get_by_test_id("check-meta.orders_acknowledged")).to_have_attribute("data-result", "failing", timeout=15_000)
        expect(frame.locator("body")).to_contain_text("Nu controleren")
        _shots(page, "health-panel-nl")

        page.goto(f"{ADMIN}/apps/orderguard/health/checkout/?locale=nl")
        expect(frame.get_by_test_id("checkout-review")).to_contain_text("Afrekenmodus", timeout=15_000)
        _shots(page, "health-checkout-nl")

        page.goto(f"{ADMIN}/apps/orderguard/health/answers/?locale=nl")
        expect(frame.get_by_test_id("answer-charged")).to_contain_text("Wordt de koper belast?", timeout=15_000)
        _shots(page, "health-answers-nl")

        page.goto(f"{ADMIN}/apps/orderguard/health/reconnect/?locale=nl")
        frame.get_by_test_id("reconnect-start").click()
        expect(frame.get_by_test_id("reconnect-status")).to_have_attribute("data-status", "steps", timeout=10_000)
        _shots(page, "health-reconnect-nl")
