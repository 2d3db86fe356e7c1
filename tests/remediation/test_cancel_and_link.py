"""Cancel and send a store link, end to end through the sandbox: each call exactly once however often the
action runs, and every way it stops short (the order reached Shopify, Meta refuses, a timeout, items that
map to nothing)."""

from __future__ import annotations

import threading
import time

import pytest
from django.utils import timezone

from orderguard.orders.polling import poll_shop
from orderguard.remediation.cancel_and_link import draft_tag_for
from orderguard.remediation.cancel_start import CancelRefused, cancel_and_link_manual_done
from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_run
from orderguard.sandbox.meta import orders as sandbox_orders
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.meta import shopify_channel
from orderguard.sandbox.meta.models import MetaOrder
from orderguard.sandbox.shopify.draft_models import SandboxDraftOrder, SandboxInvoiceEmail, SandboxProductVariant
from tests.remedies import ONE_ITEM, TWO_ITEMS, seen, start, stuck_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
Step = RemediationAction.Step


@pytest.fixture
def stuck(client, app_server):
    return stuck_shop(client=client)


def _run(action) -> RemediationAction:
    remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    return action


def test_an_action_run_twice_cancels_once_creates_one_draft_and_sends_one_email(stuck):
    action = _run(start(stuck, discount={"value": "10", "type": "PERCENTAGE"}))
    assert action.step == Step.DONE, action.message
    assert _run(action).step == Step.DONE
    assert seen() == (1, 1, 1, 1)

    cancellation = MetaOrder.objects.get(pk=ONE_ITEM).cancellations[0]
    assert cancellation["cancel_reason"] == {"reason_code": "OUT_OF_STOCK", "reason_description": "Sold out, sorry."}
    draft = SandboxDraftOrder.objects.get()
    assert draft_tag_for(ONE_ITEM) in draft.tags
    assert {"key": "orderguard_meta_order_id", "value": ONE_ITEM} in draft.custom_attributes
    assert [(line["sku"], line["quantity"]) for line in draft.line_items] == [("FH-AXE-14", 1)]
    assert draft.shipping_address["countryCode"] == "US" and draft.shipping_address["firstName"] == "Marcus"
    assert draft.applied_discount["value"] == 10.0 and draft.applied_discount["valueType"] == "PERCENTAGE"
    assert SandboxInvoiceEmail.objects.get().custom_message == "Here is your link."
    result = action.result
    assert result["draft_order_id"] == draft.gid and result["invoice_url"].endswith(draft.invoice_token)
    assert result["meta_cancelled_at"] and result["invoice_sent_at"]
    assert [(row["retailer_id"], row["matched_by"]) for row in result["mapping"]] == [("FH-AXE-14", "sku")]


def test_two_clicks_at_once_make_one_action_and_two_runs_at_once_act_once(stuck):
    actions, errors = [], []

    def click():
        try:
            actions.append(start(stuck, key="same-form-key-0123456789"))
        except Exception as error:  # noqa: BLE001  collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len({action.pk for action in actions}) == 1
    with pytest.raises(CancelRefused):
        start(stuck, key="another-form-key-0123456")  # a second live action on the order is refused

    runs = [threading.Thread(target=remediation_action_run, kwargs={"action_id": actions[0].pk}) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    while RemediationAction.objects.get(pk=actions[0].pk).step != Step.DONE:
        _run(actions[0])  # the loser of the claim returned at once; the winner finished
    assert seen() == (1, 1, 1, 1)


def test_an_order_that_reached_shopify_between_click_and_run_is_not_cancelled(stuck):
    action = start(stuck)
    meta_order = MetaOrder.objects.get(pk=ONE_ITEM)
    shopify_channel.import_order(meta_order, stuck.sandbox_shop, at=timezone.now())

    action = _run(action)
    assert (action.step, action.error_code) == (Step.STOPPED, "in_shopify")
    assert "reached Shopify" in action.message and "#" in action.message
    assert seen() == (0, 0, 0, 0)


def test_meta_refusing_the_cancel_guides_the_merchant_then_sends_the_link(stuck):
    sandbox_meta.inject_fault(stuck.commerce_account_id, "order_writes_refused")
    action = _run(start(stuck))
    assert action.step == Step.AWAITING_MANUAL_CANCEL
    assert action.result["manual_reason"] == "meta_refused"
    assert action.result["commerce_manager_url"].endswith(f"/orders/{ONE_ITEM}")
    assert seen() == (0, 1, 0, 0)  # the refused call, nothing cancelled

    assert cancel_and_link_manual_done(action=action, actor="merchant-7") is True
    assert cancel_and_link_manual_done(action=action, actor="merchant-7") is False  # once
    action = _run(action)
    assert action.step == Step.DONE, action.message
    assert action.result["manual_cancel_confirmed_by"] == "merchant-7"
    assert seen() == (0, 1, 1, 1)


def test_a_connection_without_manage_orders_goes_straight_to_the_manual_cancel(client, app_server):
    stuck = stuck_shop(client=client, manage_orders=False)
    action = _run(start(stuck))
    assert (action.step, action.result["manual_reason"]) == (Step.AWAITING_MANUAL_CANCEL, "scope_missing")
    assert seen() == (0, 0, 0, 0)


def test_a_cancel_that_timed_out_after_meta_applied_it_is_not_sent_again(stuck, settings):
    settings.REMEDY_META_WRITE_TIMEOUT = (2.0, 1.0)
    # The read at CHECKING and the cancel each answer 2.5 s late; the cancel gives up after 1 s, while Meta
    # goes on and cancels.
    sandbox_meta.inject_fault(stuck.commerce_account_id, "slow", seconds=2.5, times=2)
    action = _run(start(stuck))
    assert action.step == Step.CANCELLING and action.status == "pending" and action.attempts == 1
    deadline = time.monotonic() + 10
    while not MetaOrder.objects.get(pk=ONE_ITEM).cancellations and time.monotonic() < deadline:
        time.sleep(0.2)
    assert seen().meta_cancellations == 1

    RemediationAction.objects.filter(pk=action.pk).update(available_at=timezone.now())  # skip the backoff
    action = _run(action)
    assert action.step == Step.DONE, action.message
    assert seen() == (1, 1, 1, 1)  # the retry read the cancellations and sent no second cancel


def test_unmapped_items_are_left_out_and_named(stuck):
    SandboxProductVariant.objects.filter(sku="FH-STK-AL").delete()  # a deleted variant
    action = _run(start(stuck, TWO_ITEMS, dropped_items=("ignored",)))
    assert action.step == Step.DONE, action.message
    draft = SandboxDraftOrder.objects.get()
    assert [line["sku"] for line in draft.line_items] == ["FH-TNT-2P"]
    by_retailer = {row["retailer_id"]: row for row in action.result["mapping"]}
    assert by_retailer["FH-STK-AL"]["unmapped"] == "not_found" and by_retailer["FH-STK-AL"]["dropped"] is True
    assert by_retailer["FH-TNT-2P"]["matched_by"] == "sku"


def test_an_order_none_of_whose_items_maps_is_not_cancelled(stuck):
    SandboxProductVariant.objects.filter(sku="FH-AXE-14").delete()
    action = _run(start(stuck))
    assert (action.step, action.error_code) == (Step.STOPPED, "no_items_mapped")
    assert seen() == (0, 0, 0, 0)


def test_a_retry_after_the_draft_was_created_reuses_it(stuck):
    action = start(stuck)
    # A first attempt created the draft and died before recording it.
    tag = draft_tag_for(ONE_ITEM)
    action = _run(action)
    assert action.step == Step.DONE
    RemediationAction.objects.filter(pk=action.pk).update(step=Step.LINKING, result={**action.result, "draft_order_id": None, "invoice_sent_at": None, "invoice_send_started_at": "x"}, status="pending")
    action = _run(action)
    assert action.result["draft_reused"] is True
    assert seen() == (1, 1, 1, 1)  # the send started earlier: the draft says its invoice went out
    assert tag in SandboxDraftOrder.objects.get().tags


def test_a_manual_cancel_is_confirmed_once_the_poll_sees_it_on_meta(stuck):
    sandbox_meta.inject_fault(stuck.commerce_account_id, "order_writes_refused")
    action = _run(start(stuck))
    cancel_and_link_manual_done(action=action, actor="merchant-7")
    _run(action)
    # The merchant's click in Commerce Manager.
    order = MetaOrder.objects.get(pk=ONE_ITEM)
    sandbox_orders.cancel(order, now=timezone.now(), reason={"reason_code": "OUT_OF_STOCK", "reason_description": ""}, restock=False, lines=None)
    order.save()
    assert poll_shop(shop=stuck.shop).outcome == "ok"
    assert stuck.order().meta_cancelled is True


def test_the_order_reads_cancelled_as_soon_as_meta_confirms_the_cancel_not_at_the_next_poll(stuck):
    from orderguard.orders.models import SocialOrder

    order = SocialOrder.objects.get(meta_order_id=ONE_ITEM)
    assert order.needs_action and order.status != "cancelled"
    action = _run(start(stuck))
    assert action.step == Step.DONE, action.message
    order.refresh_from_db()
    assert order.meta_cancelled and order.status in ("cancelled", "resolved") and not order.needs_action
    # The next poll reads the same from Meta and keeps it.
    assert poll_shop(shop=stuck.shop).outcome == "ok"
    after = SocialOrder.objects.get(pk=order.pk)
    assert (after.status, after.meta_cancelled, after.needs_action) == (order.status, True, False)
