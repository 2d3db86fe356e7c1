"""The cancel-and-link screens over HTTP: the drawer's panel, the form with its key and the item mapping,
the confirmation modal, a double submit making one action, progress, the guided manual cancel, the
scopes banner, and the same for selected orders."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_run
from orderguard.sandbox.meta import orders as sandbox_orders
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.meta.models import MetaOrder
from orderguard.sandbox.shopify.draft_models import SandboxProductVariant
from orderguard.orders.polling import poll_shop
from orderguard.shops.models import Shop
from tests.helpers import bearer
from tests.remedies import ONE_ITEM, TWO_ITEMS, seen, stuck_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
Step = RemediationAction.Step


@pytest.fixture
def stuck(client, app_server):
    return stuck_shop(client=client)


def _headers(stuck):
    return bearer(stuck.shop.domain)


def _form(client, stuck, order):
    response = client.get(f"/app/orders/{order.pk}/cancel/form", headers=_headers(stuck))
    assert response.status_code == 200
    return response.content.decode()


def _key(html: str) -> str:
    return re.search(r'name="key" value="([^"]+)"', html).group(1)


def test_the_drawer_offers_the_action_and_the_form_shows_what_will_happen(client, stuck):
    order = stuck.order(TWO_ITEMS)
    panel = client.get(f"/app/orders/{order.pk}/cancel/panel", headers=_headers(stuck)).content.decode()
    assert 'data-testid="cancel-open"' in panel
    detail = client.get(f"/app/orders/{order.pk}/", headers=_headers(stuck)).content.decode()
    assert f"/app/orders/{order.pk}/cancel/panel" in detail  # loaded lazily: the drawer stays database-only

    SandboxProductVariant.objects.filter(sku="FH-STK-AL").delete()
    html = _form(client, stuck, order)
    for code in ("CUSTOMER_REQUESTED", "OUT_OF_STOCK", "INVALID_ADDRESS", "SUSPICIOUS_ORDER", "CANCEL_REASON_OTHER"):
        assert code in html
    assert "Ridge 2-Person Tent" in html and 'data-testid="cancel-unmapped"' in html and "Aluminum Tent Stakes" in html
    # No specific reason is true by default for an order that never reached the store.
    assert re.search(r'<option value="CANCEL_REASON_OTHER" selected>', html) and html.count(" selected>") == 1
    # The match rule in the merchant's words, not its code.
    assert "found by its SKU" in html and "matched by sku" not in html
    assert len(_key(html)) >= 24 and _key(html) != _key(_form(client, stuck, order))

    # Unmapped items must be decided explicitly: left out or replaced.
    data = {"key": _key(html), "reason": "OUT_OF_STOCK", "description": "Sold out", "message": "Link", "discount": "10%"}
    refused = client.post(f"/app/orders/{order.pk}/cancel/review", data, headers=_headers(stuck))
    assert refused.status_code == 422 and "pick a replacement or leave it out" in refused.content.decode()
    unmapped_id = re.search(r'name="drop" value="([^"]+)"', html).group(1)
    review = client.post(f"/app/orders/{order.pk}/cancel/review", {**data, "drop": unmapped_id}, headers=_headers(stuck))
    summary = review.content.decode()
    assert review.status_code == 200 and "<ui-modal" in summary and "<ui-title-bar" in summary
    assert "OUT_OF_STOCK" in summary and "no restock" in summary and "10% apology discount" in summary
    assert "Left out (no matching product)" in summary and "Aluminum Tent Stakes" in summary
    assert RemediationAction.objects.count() == 0  # reviewing starts nothing

    bad = client.post(f"/app/orders/{order.pk}/cancel/review", {**data, "drop": unmapped_id, "discount": "ten"}, headers=_headers(stuck))
    assert bad.status_code == 422 and "percentage" in bad.content.decode()


def test_a_double_submit_is_one_action_and_the_row_and_drawer_show_its_progress(client, stuck):
    order = stuck.order(ONE_ITEM)
    data = {"key": _key(_form(client, stuck, order)), "reason": "CUSTOMER_REQUESTED", "description": "", "message": "Sorry", "restock": "on"}
    first = client.post(f"/app/orders/{order.pk}/cancel", data, headers=_headers(stuck))
    second = client.post(f"/app/orders/{order.pk}/cancel", data, headers=_headers(stuck))
    assert first.status_code == second.status_code == 200
    action = RemediationAction.objects.get()
    assert action.params["reason_code"] == "CUSTOMER_REQUESTED" and action.params["restock"] is True
    assert 'data-testid="cancel-progress"' in first.content.decode() and "every 2s" in first.content.decode()
    assert "og:modal-hide" in first["HX-Trigger"]

    row = client.get(f"/app/orders/{order.pk}/cancel/row", headers=_headers(stuck)).content.decode()
    assert 'data-step="queued"' in row and "every 3s" in row
    listing = client.get("/app/", headers={**_headers(stuck), "HX-Target": "orders-list"}).content.decode()
    assert 'data-testid="cancel-row-status"' in listing

    remediation_action_run(action_id=action.pk)
    done = client.get(f"/app/orders/{order.pk}/cancel/progress", headers=_headers(stuck)).content.decode()
    assert 'data-step="done"' in done and "every 2s" not in done and 'data-testid="cancel-invoice-url"' in done
    assert 'data-step="done"' in client.get(f"/app/orders/{order.pk}/cancel/row", headers=_headers(stuck)).content.decode()
    assert seen() == (1, 1, 1, 1)
    # Once done, the drawer shows the result, and the order cannot get a second one.
    again = client.post(f"/app/orders/{order.pk}/cancel", {**data, "key": "another-key-abcdefghijklmnop"}, headers=_headers(stuck))
    assert again.status_code == 409 and RemediationAction.objects.count() == 1


def test_the_guided_manual_cancel_in_the_drawer(client, stuck):
    sandbox_meta.inject_fault(stuck.commerce_account_id, "order_writes_refused")
    order = stuck.order(ONE_ITEM)
    data = {"key": _key(_form(client, stuck, order)), "reason": "OUT_OF_STOCK", "description": "", "message": "Sorry"}
    client.post(f"/app/orders/{order.pk}/cancel", data, headers=_headers(stuck))
    action = RemediationAction.objects.get()
    remediation_action_run(action_id=action.pk)

    html = client.get(f"/app/orders/{order.pk}/cancel/progress", headers=_headers(stuck)).content.decode()
    assert 'data-testid="cancel-manual"' in html and f"/orders/{ONE_ITEM}" in html and "Out of stock" in html
    done = client.post(f"/app/remedies/{action.pk}/manual-done", headers=_headers(stuck))
    assert done.status_code == 200 and 'data-step="linking"' in done.content.decode()
    assert client.post(f"/app/remedies/{action.pk}/manual-done", headers=_headers(stuck)).status_code == 409
    remediation_action_run(action_id=action.pk)
    html = client.get(f"/app/orders/{order.pk}/cancel/progress", headers=_headers(stuck)).content.decode()
    assert 'data-testid="cancel-manual-confirmed"' in html and "waiting for the next check" in html

    meta_order = MetaOrder.objects.get(pk=ONE_ITEM)
    sandbox_orders.cancel(meta_order, now=timezone.now(), reason={"reason_code": "OUT_OF_STOCK", "reason_description": ""}, restock=False, lines=None)
    meta_order.save()
    poll_shop(shop=stuck.shop)
    html = client.get(f"/app/orders/{order.pk}/cancel/progress", headers=_headers(stuck)).content.decode()
    assert 'data-testid="cancel-meta-confirmed"' in html


def test_a_shop_without_the_new_scopes_sees_what_to_approve(client, stuck):
    Shop.objects.filter(pk=stuck.shop.pk).update(scopes="read_orders")
    order = stuck.order(ONE_ITEM)
    panel = client.get(f"/app/orders/{order.pk}/cancel/panel", headers=_headers(stuck))
    html = panel.content.decode()
    assert panel.status_code == 200 and 'data-testid="cancel-scopes"' in html and "write_draft_orders, read_products" in html
    refused = client.post(f"/app/orders/{order.pk}/cancel", {"key": "k" * 30, "reason": "OUT_OF_STOCK"}, headers=_headers(stuck))
    assert refused.status_code == 409 and 'data-testid="cancel-scopes"' in refused.content.decode()
    assert RemediationAction.objects.count() == 0


def test_bad_input_is_a_clear_4xx(client, stuck):
    order = stuck.order(ONE_ITEM)
    assert client.post(f"/app/orders/{order.pk}/cancel", {"key": "short", "reason": "OUT_OF_STOCK"}, headers=_headers(stuck)).status_code == 409
    assert client.post(f"/app/orders/{order.pk}/cancel", {"key": "k" * 30, "reason": "NOPE"}, headers=_headers(stuck)).status_code == 422
    assert client.get("/app/orders/999999/cancel/form", headers=_headers(stuck)).status_code == 404
    assert client.post("/app/remedies/999999/manual-done", headers=_headers(stuck)).status_code == 404


def test_selected_orders_with_an_unmatched_item_lead_to_that_orders_own_form_to_pick_a_replacement(client, stuck):
    SandboxProductVariant.objects.filter(sku="FH-STK-AL").delete()
    one, two = stuck.order(ONE_ITEM), stuck.order(TWO_ITEMS)
    form = client.post("/app/orders/cancel/bulk/form", {"ids": [one.pk, two.pk]}, headers=_headers(stuck)).content.decode()
    picks = re.findall(r'hx-get="([^"]+)"[^>]*data-testid="cancel-bulk-pick"', form)
    assert picks == [f"/app/orders/{two.pk}/"]
    detail = client.get(picks[0], headers={**_headers(stuck), "HX-Request": "true"})
    assert detail.status_code == 200 and f"/app/orders/{two.pk}/cancel/panel" in detail.content.decode()


def test_selected_orders_each_get_their_own_action_and_a_summary(client, stuck):
    ids = [stuck.order(meta_id).pk for meta_id in (ONE_ITEM, TWO_ITEMS)]
    form = client.post("/app/orders/cancel/bulk/form", {"ids": ids}, headers=_headers(stuck)).content.decode()
    keys = dict(re.findall(r'name="key_(\d+)" value="([^"]+)"', form))
    assert set(keys) == {str(pk) for pk in ids}
    assert 'data-testid="cancel-bulk-pick"' not in form  # every item matches a product
    data = {"ids": ids, **{f"key_{pk}": key for pk, key in keys.items()}, "reason": "OUT_OF_STOCK", "description": "", "message": "Sorry"}
    review = client.post("/app/orders/cancel/bulk/review", data, headers=_headers(stuck)).content.decode()
    assert "<ui-modal" in review and ONE_ITEM in review and TWO_ITEMS in review
    result = client.post("/app/orders/cancel/bulk", data, headers=_headers(stuck))
    assert result.status_code == 200 and result.content.decode().count('data-testid="cancel-bulk-outcome"') == 2
    client.post("/app/orders/cancel/bulk", data, headers=_headers(stuck))  # a double submit
    assert RemediationAction.objects.count() == 2
    for action in RemediationAction.objects.all():
        remediation_action_run(action_id=action.pk)
    assert {a.step for a in RemediationAction.objects.all()} == {Step.DONE}
    assert seen(ONE_ITEM).drafts == seen(TWO_ITEMS).drafts == 1
