"""Picking a replacement for an item that matches no product, over HTTP through the sandbox: the search
endpoint (results, hint, nothing found, Shopify failing, another shop's order), the review naming the
pick, the start storing it, the worker putting the picked variant in the draft with Meta's quantity, and
the refusals (undecided items, picks that do not fit)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_run
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify.draft_models import SandboxDraftOrder, SandboxProductVariant
from tests.factories import make_shop, make_social_order
from tests.helpers import SHOP_B, bearer
from tests.remedies import TWO_ITEMS, stuck_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
Step = RemediationAction.Step
STEEL_ID = 45000000009001


@pytest.fixture
def stuck(client, app_server):
    """The tent stakes' variant deleted (the item matches nothing); steel stakes in the store instead."""
    stuck = stuck_shop(client=client)
    SandboxProductVariant.objects.filter(sku="FH-STK-AL").delete()
    SandboxProductVariant.objects.create(shop=stuck.sandbox_shop, numeric_id=STEEL_ID, product_numeric_id=9000000009001,
                                         product_title="Steel Tent Stakes", title="Pack of 8", sku="FH-STK-ST", price="12.50")
    return stuck


def _stakes(stuck) -> dict:
    return next(item for item in stuck.order(TWO_ITEMS).items if item["retailer_id"] == "FH-STK-AL")


def _search(client, stuck, order_pk, item_id, text, **extra):
    return client.get(f"/app/orders/{order_pk}/cancel/variants", {"item": item_id, "q": text, **extra}, headers=bearer(stuck.shop.domain))


def _form_data(client, stuck, order) -> dict:
    html = client.get(f"/app/orders/{order.pk}/cancel/form", headers=bearer(stuck.shop.domain)).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)
    return {"key": key, "reason": "OUT_OF_STOCK", "description": "Sold out", "message": "Here is your link."}


def test_the_search_lists_the_stores_variants_as_radio_options(client, stuck):
    order, item = stuck.order(TWO_ITEMS), _stakes(stuck)
    for text in ("steel", "STAKES", "fh-stk-st", "pack of"):
        html = _search(client, stuck, order.pk, item["id"], text).content.decode()
        assert "Steel Tent Stakes - Pack of 8" in html, text
        assert f'name="replace-{item["id"]}" value="gid://shopify/ProductVariant/{STEEL_ID}"' in html
        assert "FH-STK-ST" in html and "$12.50" in html
    both = _search(client, stuck, order.pk, item["id"], "tent").content.decode()
    assert "Ridge 2-Person Tent" in both and "Steel Tent Stakes" in both


def test_an_empty_search_hints_and_one_finding_nothing_says_so(client, stuck):
    order, item = stuck.order(TWO_ITEMS), _stakes(stuck)
    empty = _search(client, stuck, order.pk, item["id"], "  ")
    assert empty.status_code == 200 and 'data-testid="cancel-pick-hint"' in empty.content.decode()
    none = _search(client, stuck, order.pk, item["id"], 'a" OR sku:* \\').content.decode()
    assert 'data-testid="cancel-pick-none"' in none and "cancel-pick-option" not in none  # the text stayed one term


def test_the_pick_so_far_stays_on_top_while_searching_on(client, stuck):
    order, item = stuck.order(TWO_ITEMS), _stakes(stuck)
    gid = f"gid://shopify/ProductVariant/{STEEL_ID}"
    html = _search(client, stuck, order.pk, item["id"], "ridge", **{f"replace-{item['id']}": gid}).content.decode()
    assert html.index("Steel Tent Stakes") < html.index("Ridge 2-Person Tent") and html.count(" checked") == 1


def test_shopify_failing_is_a_message_not_a_500(client, stuck):
    SandboxShop.objects.filter(pk=stuck.sandbox_shop.pk).update(faults={"graphql_http_500": 20})
    order, item = stuck.order(TWO_ITEMS), _stakes(stuck)
    response = _search(client, stuck, order.pk, item["id"], "steel")
    assert response.status_code == 200 and 'data-testid="cancel-pick-error"' in response.content.decode()


def test_another_shops_order_or_an_unknown_item_is_404(client, stuck):
    other = make_social_order(shop=make_shop(domain=SHOP_B), meta_order_id="777", status="missing_from_shopify", reason="", age=timedelta(days=2))
    assert _search(client, stuck, other.pk, "1", "steel").status_code == 404
    assert _search(client, stuck, stuck.order(TWO_ITEMS).pk, "no-such-item", "steel").status_code == 404


def test_review_and_start_carry_the_pick_and_the_draft_holds_it_with_metas_quantity(client, stuck):
    order, item = stuck.order(TWO_ITEMS), _stakes(stuck)
    gid = f"gid://shopify/ProductVariant/{STEEL_ID}"
    data = {**_form_data(client, stuck, order), f"replace-{item['id']}": gid}
    review = client.post(f"/app/orders/{order.pk}/cancel/review", data, headers=bearer(stuck.shop.domain))
    summary = review.content.decode()
    assert review.status_code == 200 and "<ui-modal" in summary
    assert f"{item['quantity']} × Steel Tent Stakes - Pack of 8 (replaces {item['product_name']}, chosen by you)" in summary
    assert "Left out" not in summary

    started = client.post(f"/app/orders/{order.pk}/cancel", data, headers=bearer(stuck.shop.domain))
    assert started.status_code == 200, started.content.decode()
    action = RemediationAction.objects.get()
    assert action.params["replacements"] == {item["id"]: gid} and action.params["dropped_items"] == []

    remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    assert action.step == Step.DONE, action.message
    lines = {line["sku"]: line["quantity"] for line in SandboxDraftOrder.objects.get().line_items}
    assert lines == {"FH-TNT-2P": 1, "FH-STK-ST": item["quantity"]}
    row = next(row for row in action.result["mapping"] if row["meta_item_id"] == item["id"])
    assert (row["matched_by"], row["variant_id"], row["retailer_id"], row["replaced_product_name"]) == ("merchant", gid, "FH-STK-AL", item["product_name"])


def test_a_pick_deleted_before_the_worker_checks_stops_without_cancelling(client, stuck):
    order, item = stuck.order(TWO_ITEMS), _stakes(stuck)
    data = {**_form_data(client, stuck, order), f"replace-{item['id']}": str(STEEL_ID)}
    assert client.post(f"/app/orders/{order.pk}/cancel", data, headers=bearer(stuck.shop.domain)).status_code == 200
    SandboxProductVariant.objects.filter(numeric_id=STEEL_ID).delete()
    action = RemediationAction.objects.get()
    remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    assert (action.step, action.error_code) == (Step.STOPPED, "replacement_gone")
    assert "Aluminum Tent Stakes" in action.message and SandboxDraftOrder.objects.count() == 0


def test_an_undecided_item_is_a_clear_error_and_starts_nothing(client, stuck):
    order, item = stuck.order(TWO_ITEMS), _stakes(stuck)
    data = _form_data(client, stuck, order)
    review = client.post(f"/app/orders/{order.pk}/cancel/review", data, headers=bearer(stuck.shop.domain))
    html = review.content.decode()
    assert review.status_code == 422 and f"Pick a replacement for {item['product_name']}, or leave it out." in html
    start = client.post(f"/app/orders/{order.pk}/cancel", data, headers=bearer(stuck.shop.domain))
    assert start.status_code == 422 and "Aluminum Tent Stakes" in start.content.decode()
    assert RemediationAction.objects.count() == 0


def test_picks_that_do_not_fit_are_form_errors(client, stuck):
    order, item = stuck.order(TWO_ITEMS), _stakes(stuck)
    tent = next(row for row in order.items if row["retailer_id"] == "FH-TNT-2P")
    data = _form_data(client, stuck, order)
    cases = [
        ({f"replace-{item['id']}": "gid://shopify/ProductVariant/404"}, "not in your store"),
        ({f"replace-{item['id']}": "not-a-variant"}, "not in your store"),
        ({"drop": item["id"], f"replace-{tent['id']}": str(STEEL_ID)}, "needs no replacement"),
        ({"drop": item["id"], f"replace-{item['id']}": str(STEEL_ID)}, "not both"),
    ]
    for extra, words in cases:
        for path in ("cancel/review", "cancel"):
            response = client.post(f"/app/orders/{order.pk}/{path}", {**data, **extra}, headers=bearer(stuck.shop.domain))
            assert response.status_code == 422 and words in response.content.decode(), (path, extra)
    assert RemediationAction.objects.count() == 0
