"""`order_action <shop> <meta order id> cancel-and-link`: the same services as the button, run at once,
the final state printed (JSON: docs/order-action-json.md); the guided manual path with --manual-done."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orderguard.remediation.models import RemediationAction
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.shopify.draft_models import SandboxDraftOrder, SandboxProductVariant
from tests.remedies import ONE_ITEM, TWO_ITEMS, seen, stuck_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


@pytest.fixture
def stuck(client, app_server):
    return stuck_shop(client=client)


def _run(stuck, *args) -> str:
    out = StringIO()
    call_command("order_action", stuck.shop.domain, ONE_ITEM, "cancel-and-link", *args, stdout=out)
    return out.getvalue()


def test_cancel_and_link_from_the_command_line_prints_the_final_state_as_json(stuck):
    data = json.loads(_run(stuck, "--reason", "INVALID_ADDRESS", "--restock", "--discount", "10%", "--json"))
    action = data["action"]
    assert (data["format_version"], data["shop"], data["meta_order_id"]) == (1, stuck.shop.domain, ONE_ITEM)
    assert (action["kind"], action["step"], action["final"], action["actor"], action["error_code"]) == ("cancel_and_link", "done", True, "operator", None)
    assert action["params"]["reason_code"] == "INVALID_ADDRESS" and action["params"]["restock"] is True
    assert action["params"]["discount"] == {"value": "10", "type": "PERCENTAGE"}
    assert action["result"]["draft_order_id"] == SandboxDraftOrder.objects.get().gid and action["result"]["invoice_sent_at"]
    assert set(action["result"]) >= {"meta_cancelled_at", "invoice_url", "mapping", "manual_cancel_confirmed_at"}
    assert seen() == (1, 1, 1, 1)
    with pytest.raises(CommandError, match="already cancelled"):
        _run(stuck)


def test_the_guided_manual_cancel_from_the_command_line(stuck):
    sandbox_meta.inject_fault(stuck.commerce_account_id, "order_writes_refused")
    text = _run(stuck)
    assert "awaiting_manual_cancel" in text and f"/orders/{ONE_ITEM}" in text and "--manual-done" in text
    data = json.loads(_run(stuck, "--manual-done", "--json"))
    assert data["action"]["step"] == "done" and data["action"]["result"]["manual_cancel_confirmed_by"] == "operator"
    assert data["action"]["params"]["reason_code"] == "CANCEL_REASON_OTHER"  # no --reason: the default
    assert seen() == (0, 1, 1, 1)
    with pytest.raises(CommandError, match="waiting"):
        _run(stuck, "--manual-done")


def test_bad_input_is_a_command_error(stuck):
    with pytest.raises(CommandError, match="percentage"):
        _run(stuck, "--discount", "lots")
    with pytest.raises(CommandError, match="No Meta order"):
        call_command("order_action", stuck.shop.domain, "123", "cancel-and-link")
    with pytest.raises(CommandError, match="No shop"):
        call_command("order_action", "nope.myshopify.com", ONE_ITEM, "cancel-and-link")


def _two_items_without_stakes(stuck) -> dict:
    """The tent stakes' variant deleted: the item matches nothing; steel stakes are in the store instead."""
    SandboxProductVariant.objects.filter(sku="FH-STK-AL").delete()
    SandboxProductVariant.objects.create(shop=stuck.sandbox_shop, numeric_id=45000000009001, product_numeric_id=9000000009001,
                                         product_title="Steel Tent Stakes", sku="FH-STK-ST", price="12.50")
    return next(item for item in stuck.order(TWO_ITEMS).items if item["retailer_id"] == "FH-STK-AL")


def _run_two(stuck, *args) -> str:
    out = StringIO()
    call_command("order_action", stuck.shop.domain, TWO_ITEMS, "cancel-and-link", *args, stdout=out)
    return out.getvalue()


def test_an_unmapped_item_needs_a_replacement_or_a_drop_from_the_operator(stuck):
    stakes = _two_items_without_stakes(stuck)
    with pytest.raises(CommandError, match=rf"Not started: .*--replace ITEM_ID=VARIANT_ID or --drop ITEM_ID: {stakes['id']} \(Aluminum Tent Stakes"):
        _run_two(stuck)
    with pytest.raises(CommandError, match="not in your store"):
        _run_two(stuck, "--replace", f"{stakes['id']}=404")
    with pytest.raises(CommandError, match="ITEM_ID=VARIANT_ID"):
        _run_two(stuck, "--replace", f"{stakes['id']}=steel")
    assert RemediationAction.objects.count() == 0 and seen(TWO_ITEMS) == (0, 0, 0, 0)


def test_replace_puts_the_variant_in_the_draft_and_the_mapping_says_merchant(stuck):
    stakes = _two_items_without_stakes(stuck)
    data = json.loads(_run_two(stuck, "--replace", f"{stakes['id']}=45000000009001", "--json"))
    action = data["action"]
    assert action["step"] == "done", action["message"]
    assert action["params"]["replacements"] == {stakes["id"]: "gid://shopify/ProductVariant/45000000009001"}
    assert [(line["sku"], line["quantity"]) for line in SandboxDraftOrder.objects.get().line_items] == [("FH-TNT-2P", 1), ("FH-STK-ST", stakes["quantity"])]
    row = next(row for row in action["result"]["mapping"] if row["meta_item_id"] == stakes["id"])
    assert row["matched_by"] == "merchant" and row["replaced_product_name"] == stakes["product_name"]


def test_drop_leaves_the_item_out(stuck):
    stakes = _two_items_without_stakes(stuck)
    data = json.loads(_run_two(stuck, "--drop", stakes["id"], "--json"))
    assert data["action"]["step"] == "done" and data["action"]["params"]["dropped_items"] == [stakes["id"]]
    assert [line["sku"] for line in SandboxDraftOrder.objects.get().line_items] == ["FH-TNT-2P"]
