"""In chromium, through the sandbox admin: cancel a stuck order and send a cart link with an apology
discount. The merchant approves write_discounts through App Bridge's scopes request (the admin's grant
dialog), confirms, watches the row and the drawer, and the buyer's cart checkout recovers the order. Then
the same choice for selected orders: the bulk form and its confirmation, in English and Dutch, 1440 and
390 px wide; screenshots in test-artifacts/."""

from __future__ import annotations

import re
import threading

import pytest
from django.conf import settings
from playwright.sync_api import expect

from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_run
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify.cart_checkout import cart_permalink_checkout
from orderguard.sandbox.shopify.draft_models import SandboxDiscountCode, SandboxDraftOrder
from orderguard.sandbox.shopify.tokens import optional_scopes_grant
from orderguard.shops import webhooks
from orderguard.shops.models import Shop, WebhookDelivery
from tests.browser import ARTIFACTS, chromium_page
from tests.remedies import ONE_ITEM, TWO_ITEMS, stuck_shop
from tests.scenarios import BROKEN_SHOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]

ADMIN_APP_URL = f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/{BROKEN_SHOP.removesuffix('.myshopify.com')}/apps/orderguard"
WORDS = {
    "en": {"open": "Cancel and send store link…", "bulk": "Cancel and send store links…", "review": "Review…", "confirm": "Cancel on Meta and send link",
           "confirm_bulk": "Cancel on Meta and send links", "done": "Cancelled, link sent", "cart": "cart permalink", "code": "single-use discount code"},
    "nl": {"open": "Annuleren en winkellink sturen…", "bulk": "Annuleren en winkellinks sturen…", "review": "Controleren…", "confirm": "Annuleren bij Meta en link sturen",
           "confirm_bulk": "Annuleren bij Meta en links sturen", "done": "Geannuleerd, link verstuurd", "cart": "winkelwagenlink", "code": "kortingscode"},
}


@pytest.fixture
def stuck(client, app_server):
    return stuck_shop(client=client)


def _worker(count: int) -> threading.Thread:
    """A worker stand-in: runs each action once the merchant has confirmed it."""

    def work():
        done: set[int] = set()
        for _ in range(300):
            for action in RemediationAction.objects.exclude(pk__in=done):
                remediation_action_run(action_id=action.pk)
                done.add(action.pk)
            if len(done) >= count:
                return
            threading.Event().wait(0.1)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def _process_webhooks(topic: str) -> list[str]:
    """What the webhook worker does with the deliveries the sandbox sent."""
    return [webhooks.webhook_delivery_process(delivery_id=pk) for pk in WebhookDelivery.objects.filter(topic=topic).values_list("pk", flat=True)]


def _wait_for_delivery(topic: str) -> None:
    for _ in range(100):
        if WebhookDelivery.objects.filter(topic=topic).exists():
            return
        threading.Event().wait(0.1)
    raise AssertionError(f"no {topic} webhook arrived")


def _open_form(frame, words) -> None:
    frame.get_by_role("link", name=ONE_ITEM).dispatch_event("click")
    expect(frame.get_by_test_id("order-detail")).to_be_visible(timeout=10_000)
    frame.get_by_role("button", name=words["open"]).click()
    expect(frame.get_by_test_id("cancel-form")).to_be_visible(timeout=10_000)


def test_a_cart_link_with_a_discount_after_approving_discount_codes_recovers_the_order(stuck):
    words = WORDS["en"]
    with chromium_page(width=1440, height=900) as page:
        grant_dialogs: list[str] = []
        page.on("dialog", lambda dialog: (grant_dialogs.append(dialog.message), dialog.accept()))
        page.goto(f"{ADMIN_APP_URL}?locale=en")
        frame = page.frame_locator("#app-frame")
        expect(frame.get_by_test_id("needs-action-count")).to_have_text("5", timeout=15_000)
        _open_form(frame, words)
        form = frame.get_by_test_id("cancel-form")
        form.get_by_test_id("cancel-link-cart").check()
        form.get_by_test_id("cancel-send-app").check()
        form.get_by_test_id("cancel-discount").fill("10%")
        expect(form.get_by_test_id("cancel-discount-scope")).to_be_visible()
        frame.get_by_test_id("cancel-form-panel").scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "cart-link-approve-en-1440.png")

        # Approve discount codes: App Bridge's scopes.request opens the admin's grant dialog. The app reads
        # the grant from Shopify at once and redraws only the notice: the form keeps what was filled in,
        # and the review goes on before the app/scopes_update webhook is processed.
        form.get_by_test_id("cancel-approve-discounts").click()
        expect(form.get_by_test_id("cancel-discount-scope-granted")).to_be_visible(timeout=10_000)
        assert grant_dialogs and "write_discounts" in grant_dialogs[0]
        assert "write_discounts" in Shop.objects.get(pk=stuck.shop.pk).scopes.split(",")
        expect(form.get_by_test_id("cancel-discount-scope")).to_have_count(0)
        expect(form.get_by_test_id("cancel-discount")).to_have_value("10%")
        expect(form.get_by_test_id("cancel-link-cart")).to_be_checked()
        expect(form.get_by_test_id("cancel-send-app")).to_be_checked()
        page.screenshot(path=ARTIFACTS / "cart-link-approved-en-1440.png")
        _wait_for_delivery("app/scopes_update")  # the webhook still comes, and records the same
        _process_webhooks("app/scopes_update")
        assert "write_discounts" in Shop.objects.get(pk=stuck.shop.pk).scopes.split(",")
        frame.get_by_role("button", name=words["review"]).click()
        modal = frame.locator("dialog[data-sandbox-modal]")
        expect(modal).to_be_visible(timeout=10_000)
        expect(modal).to_contain_text("Make a cart permalink to your store with")
        expect(modal).to_contain_text("as a single-use discount code")
        page.screenshot(path=ARTIFACTS / "cart-link-confirm-en-1440.png")

        sandbox_meta.inject_fault(stuck.commerce_account_id, "slow", seconds=2.5, times=2)  # the steps show
        worker = _worker(1)
        modal.get_by_role("button", name=words["confirm"]).click()
        progress = frame.get_by_test_id("cancel-progress")
        expect(progress).to_have_attribute("data-step", re.compile("checking|cancelling"), timeout=10_000)
        row = frame.locator(f'tr[data-meta-order-id="{ONE_ITEM}"] [data-testid="cancel-row-status"]')
        expect(row).to_have_count(1, timeout=10_000)
        expect(row).not_to_have_attribute("data-step", "done")
        page.screenshot(path=ARTIFACTS / "cart-link-progress-en-1440.png")
        expect(progress).to_have_attribute("data-step", "done", timeout=30_000)
        expect(progress).to_contain_text(words["done"])
        expect(row).to_have_attribute("data-step", "done", timeout=15_000)
        cart_url = frame.get_by_test_id("cancel-cart-url").get_attribute("href")
        code = SandboxDiscountCode.objects.get()
        expect(progress).to_contain_text(code.code)
        progress.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "cart-link-done-en-1440.png")
        worker.join(timeout=30)
        assert f"discount={code.code}" in cart_url and not SandboxDraftOrder.objects.exists()

        # The buyer opens the cart link from OrderGuard's email and checks out in the store.
        bought = cart_permalink_checkout(shop=SandboxShop.objects.get(pk=stuck.sandbox_shop.pk), url=cart_url)
        outcomes = _process_webhooks("orders/create")
        assert any("recovered Meta order" in outcome for outcome in outcomes), outcomes
        assert stuck.order(ONE_ITEM).recovered_order_name == bought.name
        page.reload()
        expect(frame.get_by_test_id("revenue-recovered")).to_contain_text(str(bought.total_amount), timeout=15_000)
        page.screenshot(path=ARTIFACTS / "cart-link-recovered-en-1440.png")


def _bulk_cart_link(page, stuck, *, language: str, width: str) -> None:
    words = WORDS[language]
    page.goto(f"{ADMIN_APP_URL}?locale={language}")
    frame = page.frame_locator("#app-frame")
    expect(frame.get_by_test_id("needs-action-count")).to_have_text("5", timeout=15_000)
    for meta_order_id in (ONE_ITEM, TWO_ITEMS):
        frame.locator(f'tr[data-meta-order-id="{meta_order_id}"] input[data-og-select]').check()
    frame.get_by_test_id("cancel-bulk-open").click()
    bulk = frame.get_by_test_id("cancel-bulk")
    expect(bulk).to_be_visible(timeout=15_000)
    expect(bulk.get_by_test_id("cancel-bulk-order")).to_have_count(2)
    bulk.get_by_test_id("cancel-link-cart").check()
    bulk.get_by_test_id("cancel-send-app").check()
    bulk.get_by_test_id("cancel-discount").fill("10%")
    bulk.get_by_test_id("cancel-link-choice").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / f"cancel-bulk-form-{language}-{width}.png")
    bulk.get_by_test_id("cancel-bulk-review").click()
    modal = frame.locator("dialog[data-sandbox-modal]")
    expect(modal).to_be_visible(timeout=15_000)
    expect(modal).to_contain_text(words["cart"])
    expect(modal).to_contain_text(words["code"])
    expect(modal).to_contain_text(ONE_ITEM)
    page.screenshot(path=ARTIFACTS / f"cancel-bulk-modal-{language}-{width}.png")
    worker = _worker(2)
    modal.get_by_role("button", name=words["confirm_bulk"]).click()
    result = frame.get_by_test_id("cancel-bulk-result")
    expect(result).to_be_visible(timeout=15_000)
    expect(result.get_by_test_id("cancel-bulk-outcome")).to_have_count(2)
    page.screenshot(path=ARTIFACTS / f"cancel-bulk-result-{language}-{width}.png")
    worker.join(timeout=60)
    page.keyboard.press("Escape")
    expect(result).to_have_count(0)
    for meta_order_id in (ONE_ITEM, TWO_ITEMS):
        row = frame.locator(f'tr[data-meta-order-id="{meta_order_id}"] [data-testid="cancel-row-status"]')
        expect(row).to_have_attribute("data-step", "done", timeout=20_000)
    page.screenshot(path=ARTIFACTS / f"cancel-bulk-rows-{language}-{width}.png")
    actions = list(RemediationAction.objects.all())
    assert len(actions) == 2 and {(a.params["link"], a.params["send_by"], a.step) for a in actions} == {("cart", "app_email", "done")}
    assert SandboxDiscountCode.objects.count() == 2 and not SandboxDraftOrder.objects.exists()


def _grant_discounts(stuck) -> None:
    """Approved before (the single-order test walks through the approval itself)."""
    optional_scopes_grant(shop=SandboxShop.objects.get(pk=stuck.sandbox_shop.pk), scopes=["write_discounts"])
    Shop.objects.filter(pk=stuck.shop.pk).update(scopes=stuck.shop.scopes + ",write_discounts")


def test_bulk_cancel_with_the_cart_link_in_english_at_1440(stuck):
    _grant_discounts(stuck)
    with chromium_page(width=1440, height=900) as page:
        _bulk_cart_link(page, stuck, language="en", width="1440")


def test_bulk_cancel_with_the_cart_link_in_dutch_on_a_phone(stuck):
    _grant_discounts(stuck)
    with chromium_page(locale="nl-NL", width=390, height=844) as page:
        _bulk_cart_link(page, stuck, language="nl", width="390")
