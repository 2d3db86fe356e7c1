"""In chromium, through the sandbox admin: cancel a stuck order one of whose items matches no product,
picking a replacement for it. Search the store from the form, pick a variant, review (the replacement
named), confirm, the final state, and the sandbox's draft order holding the picked variant with Meta's
quantity. English at 1440 px, Dutch on a 375 px phone; screenshots in test-artifacts/."""

from __future__ import annotations


import pytest
from django.conf import settings
from playwright.sync_api import expect

from orderguard.remediation.models import RemediationAction
from orderguard.sandbox.shopify.draft_models import SandboxDraftOrder, SandboxProductVariant
from tests.browser import ARTIFACTS, chromium_page
from tests.remedies import TWO_ITEMS, run_action_in_background, stuck_shop
from tests.scenarios import BROKEN_SHOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]

ADMIN_APP_URL = f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/{BROKEN_SHOP.removesuffix('.myshopify.com')}/apps/orderguard"
STEEL_ID = 45000000009001
WORDS = {
    "en": {"open": "Cancel and send store link…", "review": "Review…", "confirm": "Cancel on Meta and send link", "done": "Cancelled, link sent",
           "chosen": "Chosen as the replacement", "replaces": "chosen by you"},
    "nl": {"open": "Annuleren en winkellink sturen…", "review": "Controleren…", "confirm": "Annuleren bij Meta en link sturen", "done": "Geannuleerd, link verstuurd",
           "chosen": "Gekozen als vervanger", "replaces": "door jou gekozen"},
}


@pytest.fixture
def stuck(client, app_server):
    stuck = stuck_shop(client=client)
    SandboxProductVariant.objects.filter(sku="FH-STK-AL").delete()  # the tent stakes match nothing
    SandboxProductVariant.objects.create(shop=stuck.sandbox_shop, numeric_id=STEEL_ID, product_numeric_id=9000000009001,
                                         product_title="Steel Tent Stakes", title="Pack of 8", sku="FH-STK-ST", price="12.50")
    return stuck


def _pick_and_cancel(page, stuck, *, language: str, width: int) -> None:
    words = WORDS[language]
    page.goto(f"{ADMIN_APP_URL}?locale={language}")
    frame = page.frame_locator("#app-frame")
    expect(frame.get_by_test_id("needs-action-count")).to_have_text("5", timeout=15_000)
    frame.get_by_role("link", name=TWO_ITEMS).dispatch_event("click")
    expect(frame.get_by_test_id("order-detail")).to_be_visible(timeout=10_000)
    frame.get_by_role("button", name=words["open"]).click()
    expect(frame.get_by_test_id("cancel-form")).to_be_visible(timeout=10_000)

    pick = frame.get_by_test_id("cancel-pick")
    expect(pick).to_have_count(1)
    expect(pick.get_by_test_id("cancel-pick-results")).to_contain_text("SKU")  # the hint names what to type
    search = pick.get_by_test_id("cancel-pick-search")
    search.fill("nothing-like-this")
    expect(pick.get_by_test_id("cancel-pick-none")).to_be_visible(timeout=10_000)
    search.fill("steel")
    option = pick.get_by_test_id("cancel-pick-option")
    expect(option).to_have_count(1, timeout=10_000)
    expect(option).to_contain_text("Steel Tent Stakes - Pack of 8")
    expect(option).to_contain_text("FH-STK-ST")
    option.locator("input[type=radio]").check()
    expect(option).to_contain_text(words["chosen"])
    pick.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / f"pick-form-{language}-{width}.png")
    # Nothing of the picker reaches past the drawer at this width.
    box, drawer = pick.bounding_box(), frame.get_by_test_id("cancel-form-panel").bounding_box()
    assert box["x"] >= drawer["x"] - 1 and box["x"] + box["width"] <= drawer["x"] + drawer["width"] + 1, (box, drawer)
    assert search.bounding_box()["x"] + search.bounding_box()["width"] <= box["x"] + box["width"] + 1

    frame.get_by_role("button", name=words["review"]).click()
    modal = frame.locator("dialog[data-sandbox-modal]")
    expect(modal).to_be_visible(timeout=10_000)
    expect(modal).to_contain_text("Steel Tent Stakes - Pack of 8")
    expect(modal).to_contain_text(words["replaces"])
    page.screenshot(path=ARTIFACTS / f"pick-confirm-{language}-{width}.png")

    worker = run_action_in_background(TWO_ITEMS)
    modal.get_by_role("button", name=words["confirm"]).click()
    progress = frame.get_by_test_id("cancel-progress")
    expect(progress).to_have_attribute("data-step", "done", timeout=30_000)
    expect(progress).to_contain_text(words["done"])
    page.screenshot(path=ARTIFACTS / f"pick-done-{language}-{width}.png")
    worker.join(timeout=30)

    stakes = next(item for item in stuck.order(TWO_ITEMS).items if item["retailer_id"] == "FH-STK-AL")
    lines = {line["sku"]: line["quantity"] for line in SandboxDraftOrder.objects.get().line_items}
    assert lines == {"FH-TNT-2P": 1, "FH-STK-ST": stakes["quantity"]}
    row = next(row for row in RemediationAction.objects.get().result["mapping"] if row["meta_item_id"] == stakes["id"])
    assert row["matched_by"] == "merchant"


def test_pick_a_replacement_in_english_at_1440(stuck):
    with chromium_page(width=1440, height=900) as page:
        _pick_and_cancel(page, stuck, language="en", width=1440)


def test_pick_a_replacement_in_dutch_on_a_375px_phone(stuck):
    with chromium_page(locale="nl-NL", width=375, height=812) as page:
        _pick_and_cancel(page, stuck, language="nl", width=375)
