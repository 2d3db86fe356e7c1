"""The cart-permalink store link through the sandbox: one single-use code however often the action runs
(also after a crash between making the code and recording it), one email by OrderGuard's own mailer, a
missing discount scope refused before anything is cancelled, and recovery by the buyer's cart order once."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from orderguard.remediation import cart_link
from orderguard.remediation.cancel_start import CancelRefused
from orderguard.remediation.models import RemediationAction
from orderguard.remediation.recovery import shopify_order_created
from orderguard.remediation.services import remediation_action_run
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify.cart_checkout import CartCheckoutError, cart_permalink_checkout
from orderguard.sandbox.shopify.tokens import optional_scopes_grant
from orderguard.shops import webhooks
from orderguard.shops.models import WebhookDelivery
from orderguard.sandbox.shopify.draft_models import SandboxDiscountCode, SandboxDraftOrder
from orderguard.shops.models import Shop
from tests.remedies import ONE_ITEM, seen, start, stuck_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
Step = RemediationAction.Step
TEN_PERCENT = {"value": "10", "type": "PERCENTAGE"}


@pytest.fixture
def stuck(client, app_server):
    return stuck_shop(client=client)


def _grant_discounts(stuck) -> None:
    """What the merchant's approval in App Bridge leads to: Shopify grants it, app/scopes_update records it."""
    optional_scopes_grant(shop=SandboxShop.objects.get(pk=stuck.sandbox_shop.pk), scopes=["write_discounts"])
    Shop.objects.filter(pk=stuck.shop.pk).update(scopes=stuck.shop.scopes + ",write_discounts")
    stuck.shop.refresh_from_db()


def _run(action) -> RemediationAction:
    remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    return action


def _cart(stuck, **options):
    return start(stuck, link="cart", send_by="app_email", **options)


def test_a_cart_link_with_a_discount_run_twice_makes_one_code_and_one_email(stuck):
    _grant_discounts(stuck)
    action = _run(_cart(stuck, discount=TEN_PERCENT))
    assert action.step == Step.DONE, action.message
    assert _run(action).step == Step.DONE
    assert seen()[:3] == (1, 1, 0)  # one cancel, no draft order
    code = SandboxDiscountCode.objects.get()
    assert code.code == cart_link.discount_code_for(action.idempotency_key) == action.result["discount_code"]
    assert code.usage_limit == 1 and code.applies_once_per_customer
    assert code.customer_gets["value"]["percentage"] == pytest.approx(0.10)
    url = urlsplit(action.result["store_link_url"])
    assert url.path == "/cart/45000000000003:1" or url.path.startswith("/cart/") and url.path.endswith(":1")
    query = parse_qs(url.query)
    assert query["discount"] == [code.code] and query["attributes[orderguard_meta_order_id]"] == [ONE_ITEM]
    assert len(mail.outbox) == 1 and action.result["store_link_url"] in mail.outbox[0].body and code.code in mail.outbox[0].body
    assert not SandboxDraftOrder.objects.exists()
    assert action.order.events.filter(to_value="link_emailed").count() == 1


def test_two_runs_at_once_make_one_code_and_send_one_email(stuck):
    _grant_discounts(stuck)
    action = _cart(stuck, discount=TEN_PERCENT)
    runs = [threading.Thread(target=remediation_action_run, kwargs={"action_id": action.pk}) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    action.refresh_from_db()
    if action.step != Step.DONE:  # the loser left it to a retry
        action = _run(action)
    assert action.step == Step.DONE, action.message
    assert SandboxDiscountCode.objects.count() == 1 and len(mail.outbox) == 1


def test_a_retry_after_a_crash_between_making_the_code_and_recording_it_finds_the_same_code(stuck):
    _grant_discounts(stuck)
    action = _cart(stuck, discount=TEN_PERCENT)
    code = cart_link.discount_code_for(action.idempotency_key)
    # The earlier attempt: its code reached Shopify, the worker died before the result was written.
    first = _run(action)
    SandboxDiscountCode.objects.filter(code=code).exists()
    RemediationAction.objects.filter(pk=first.pk).update(step=Step.LINKING, status=RemediationAction.Status.PENDING,
                                                         result={**{k: v for k, v in first.result.items() if k not in ("store_link_url", "link_email_started_at", "link_email_sent_at")}})
    mail.outbox.clear()
    again = _run(first)
    assert again.step == Step.DONE, again.message
    assert SandboxDiscountCode.objects.count() == 1 and again.result["discount_code"] == code
    # Without the started mark (the crash came before it was read back), Shopify's TAKEN tells the same.
    result = {k: v for k, v in again.result.items() if k not in ("store_link_url", "discount_create_started_at", "link_email_started_at", "link_email_sent_at")}
    RemediationAction.objects.filter(pk=again.pk).update(step=Step.LINKING, status=RemediationAction.Status.PENDING, result=result)
    assert _run(again).step == Step.DONE and SandboxDiscountCode.objects.count() == 1


def test_an_email_whose_send_started_but_was_not_recorded_is_never_sent_twice(stuck):
    action = _cart(stuck)
    first = _run(action)
    assert len(mail.outbox) == 1
    result = {k: v for k, v in first.result.items() if k != "link_email_sent_at"}
    RemediationAction.objects.filter(pk=first.pk).update(step=Step.SENDING, status=RemediationAction.Status.PENDING, result=result)
    again = _run(first)
    assert again.step == Step.FAILED and again.error_code == "send_uncertain" and len(mail.outbox) == 1


def test_without_a_discount_no_code_is_made_and_no_scope_is_needed(stuck):
    action = _run(_cart(stuck))
    assert action.step == Step.DONE, action.message
    assert not SandboxDiscountCode.objects.exists() and action.result["discount_code"] == ""
    assert "discount=" not in action.result["store_link_url"] and "orderguard_meta_order_id" in action.result["store_link_url"]


def test_a_missing_discount_scope_refuses_the_start_and_stops_a_queued_action_before_the_cancel(stuck):
    with pytest.raises(CancelRefused) as refused:
        _cart(stuck, discount=TEN_PERCENT)
    assert "write_discounts" in str(refused.value)
    _grant_discounts(stuck)
    action = _cart(stuck, discount=TEN_PERCENT)
    Shop.objects.filter(pk=stuck.shop.pk).update(scopes=stuck.shop.scopes.replace(",write_discounts", ""))  # revoked meanwhile
    action = _run(action)
    assert action.step == Step.STOPPED and action.error_code == "discount_scope_missing"
    assert seen()[:2] == (0, 0)


def test_the_buyers_cart_order_recovers_the_stuck_order_once(stuck):
    _grant_discounts(stuck)
    action = _run(_cart(stuck, discount=TEN_PERCENT))
    payload = {"id": 820982911946154508, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508", "name": "#1099",
               "source_name": "web", "total_price": "40.50", "currency": "USD",
               "discount_codes": [{"code": action.result["discount_code"].lower(), "amount": "4.50", "type": "percentage"}],
               "note_attributes": [{"name": "orderguard_meta_order_id", "value": ONE_ITEM}]}
    assert "recovered" in shopify_order_created(shop_domain=stuck.shop.domain, payload=payload)
    assert "already recovered" in shopify_order_created(shop_domain=stuck.shop.domain, payload=payload)
    order = stuck.order()
    assert order.recovered_order_name == "#1099" and order.events.filter(to_value="recovered").count() == 1
    # An unrelated order with someone else's code and no attribute is none of the remedy's business.
    assert shopify_order_created(shop_domain=stuck.shop.domain, payload={**payload, "discount_codes": [{"code": "SUMMER"}], "note_attributes": []}) == ""


def test_the_simulated_buyer_checks_out_the_cart_link_once_and_the_signed_webhook_recovers_the_order(stuck):
    _grant_discounts(stuck)
    action = _run(_cart(stuck, discount=TEN_PERCENT))
    sandbox_shop = SandboxShop.objects.get(pk=stuck.sandbox_shop.pk)
    shopify_order = cart_permalink_checkout(shop=sandbox_shop, url=action.result["store_link_url"])
    assert shopify_order.source_name == "web" and {"key": "orderguard_meta_order_id", "value": ONE_ITEM} in shopify_order.custom_attributes
    assert SandboxDiscountCode.objects.get().times_used == 1
    with pytest.raises(CartCheckoutError, match="usage limit"):  # single use: a second checkout is refused
        cart_permalink_checkout(shop=sandbox_shop, url=action.result["store_link_url"])
    outcomes = [webhooks.webhook_delivery_process(delivery_id=pk) for pk in WebhookDelivery.objects.filter(topic="orders/create").values_list("pk", flat=True)]
    assert any("recovered Meta order" in outcome and "cart link" in outcome for outcome in outcomes), outcomes
    order = stuck.order()
    assert order.recovered_order_name == shopify_order.name and order.recovered_amount == shopify_order.total_amount
