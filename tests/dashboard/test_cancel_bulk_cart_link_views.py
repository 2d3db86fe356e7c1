"""Cancel and link for selected orders with the store-link choice, over HTTP through the sandbox: the form
defaults to the shop's settings, a cart link with a discount in a shop without write_discounts brings the
form back with the approval to ask for (never a 500, nothing started), the approval through the sandbox
admin's scopes request, then one action per order with the cart link, each its own single-use code and
email, and one buyer's cart checkout recovering only that order."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail

from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_run
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify.cart_checkout import cart_permalink_checkout
from orderguard.sandbox.shopify.draft_models import SandboxDiscountCode, SandboxDraftOrder
from orderguard.shops import webhooks
from orderguard.shops.models import ShopPreferences, WebhookDelivery
from orderguard.shops.preferences import shop_preferences_update
from tests.helpers import bearer
from tests.remedies import ONE_ITEM, TWO_ITEMS, stuck_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
Step = RemediationAction.Step


@pytest.fixture
def stuck(client, app_server):
    return stuck_shop(client=client)


def _form(client, stuck) -> tuple[str, dict]:
    ids = [stuck.order(meta_id).pk for meta_id in (ONE_ITEM, TWO_ITEMS)]
    response = client.post("/app/orders/cancel/bulk/form", {"ids": ids}, headers=bearer(stuck.shop.domain))
    assert response.status_code == 200
    html = response.content.decode()
    keys = dict(re.findall(r'name="key_(\d+)" value="([^"]+)"', html))
    assert set(keys) == {str(pk) for pk in ids}
    return html, {"ids": ids, **{f"key_{pk}": key for pk, key in keys.items()}, "reason": "OUT_OF_STOCK", "description": "Sold out", "message": "Sorry"}


def _checked(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([a-z_]+)" checked', html).group(1)


def _approve_discount_codes(client, stuck) -> None:
    """The merchant approves in the admin's grant dialog; a worker processes app/scopes_update."""
    handle = stuck.shop.domain.removesuffix(".myshopify.com")
    answer = client.post(f"/_sandbox/admin/store/{handle}/scopes-request", data=json.dumps({"scopes": ["write_discounts"]}), content_type="application/json")
    assert answer.json()["result"] == "granted-all"
    for delivery in WebhookDelivery.objects.filter(topic="app/scopes_update"):
        webhooks.webhook_delivery_process(delivery_id=delivery.pk)


def test_the_bulk_form_defaults_to_the_shops_link_settings(client, stuck):
    html, _data = _form(client, stuck)
    assert _checked(html, "link") == "draft_order" and _checked(html, "send_by") == "shopify_invoice"
    shop_preferences_update(shop=stuck.shop, grace_minutes=30, auto_cancel_warning_days=5, buyer_email_language=ShopPreferences.EmailLanguage.values[0],
                            store_link="cart", link_sending="app_email")
    html, _data = _form(client, stuck)
    assert _checked(html, "link") == "cart" and _checked(html, "send_by") == "app_email"
    assert 'data-og-request-scopes="write_discounts"' in html  # not approved yet: the form says what to approve


def test_a_cart_link_with_a_discount_asks_for_the_approval_then_each_order_gets_its_own_code(client, stuck):
    _html, data = _form(client, stuck)
    data.update(link="cart", send_by="app_email", discount="10%")
    review = client.post("/app/orders/cancel/bulk/review", data, headers=bearer(stuck.shop.domain))
    body = review.content.decode()
    assert review.status_code == 422 and review.headers["HX-Retarget"] == "#og-cancel-bulk"
    assert 'data-testid="cancel-link-error"' in body and 'data-og-request-scopes="write_discounts"' in body
    started = client.post("/app/orders/cancel/bulk", data, headers=bearer(stuck.shop.domain))  # a stale confirmation
    assert started.status_code == 409 and 'data-testid="cancel-link-error"' in started.content.decode()
    assert not RemediationAction.objects.exists()

    _approve_discount_codes(client, stuck)
    review = client.post("/app/orders/cancel/bulk/review", data, headers=bearer(stuck.shop.domain))
    body = review.content.decode()
    assert review.status_code == 200 and 'data-link="cart" data-send-by="app_email"' in body
    assert "make a cart permalink to your store" in body and "single-use discount code" in body and "own email" in body
    result = client.post("/app/orders/cancel/bulk", data, headers=bearer(stuck.shop.domain))
    assert result.status_code == 200 and result.content.decode().count('data-testid="cancel-bulk-outcome"') == 2
    assert "Not started" not in result.content.decode() and "a cart permalink, sent by OrderGuard" in result.content.decode()
    client.post("/app/orders/cancel/bulk", data, headers=bearer(stuck.shop.domain))  # a double submit
    actions = list(RemediationAction.objects.all())
    assert len(actions) == 2 and {(a.params["link"], a.params["send_by"]) for a in actions} == {("cart", "app_email")}
    for action in actions:
        remediation_action_run(action_id=action.pk)
        action.refresh_from_db()
        assert action.step == Step.DONE, action.message
    codes = {action.result["discount_code"] for action in actions}
    assert len(codes) == 2 and set(SandboxDiscountCode.objects.values_list("code", flat=True)) == codes
    assert len(mail.outbox) == 2 and not SandboxDraftOrder.objects.exists()

    # One buyer checks out their cart link: that order is recovered, the other is not.
    first = next(action for action in actions if action.order.meta_order_id == ONE_ITEM)
    cart_permalink_checkout(shop=SandboxShop.objects.get(pk=stuck.sandbox_shop.pk), url=first.result["store_link_url"])
    for delivery in WebhookDelivery.objects.filter(topic="orders/create"):
        webhooks.webhook_delivery_process(delivery_id=delivery.pk)
    assert stuck.order(ONE_ITEM).recovered_order_name and not stuck.order(TWO_ITEMS).recovered_order_name


def test_a_cart_link_by_shopifys_invoice_is_refused_on_the_form(client, stuck):
    _html, data = _form(client, stuck)
    data.update(link="cart", send_by="shopify_invoice")
    review = client.post("/app/orders/cancel/bulk/review", data, headers=bearer(stuck.shop.domain))
    assert review.status_code == 422 and "has no Shopify invoice email" in review.content.decode()
    assert client.post("/app/orders/cancel/bulk", data, headers=bearer(stuck.shop.domain)).status_code == 409
    assert not RemediationAction.objects.exists()
