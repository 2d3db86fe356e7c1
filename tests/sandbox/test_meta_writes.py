"""POST acknowledge_order, acknowledge_orders, cancellations; order_management_apps; idempotency keys."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaOrder
from orderguard.sandbox.models import SandboxShopifyOrder
from tests.sandbox.helpers import CMS, NOW, OTHER_CMS, base_scenario, error_of, ids, meta_order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

CREATED = "2200000000000001"
CREATED_2 = "2200000000000002"
PROCESSING = "2200000000000003"
STUCK = "2200000000000004"
IN_PROGRESS = "2200000000000005"
SHIPPED = "2200000000000006"
TWO_ITEMS = "2200000000000007"


@pytest.fixture
def world(load):
    load(base_scenario([
        meta_order(CREATED, "CREATED", "-3h"),
        meta_order(CREATED_2, "CREATED", "-4h"),
        meta_order(PROCESSING, "FB_PROCESSING", "-10m"),
        meta_order(STUCK, "FB_PROCESSING", "-26h", stuck_in_processing=True),
        meta_order(IN_PROGRESS, "IN_PROGRESS", "-2d", shopify="imported"),
        meta_order(SHIPPED, "COMPLETED", "-6d", shipped={"at": "-4d"}),
        {**meta_order(TWO_ITEMS, "IN_PROGRESS", "-1d"), "items": [
            {"retailer_id": "SKU-A", "name": "Socks", "price": "10.00", "quantity": 3},
            {"retailer_id": "SKU-B", "name": "Cap", "price": "20.00"},
        ]},
    ]))


def state(order_id: str) -> str:
    return MetaOrder.objects.get(pk=order_id).state


# Acknowledge one order
# ------------------------------------------------------------------------------------------------------


def test_acknowledge_moves_created_to_in_progress(manage_graph, world, clock):
    response = manage_graph.post(f"{CREATED}/acknowledge_order", idempotency_key="ack-1", merchant_order_reference="OG-1")
    assert response.status_code == 200 and response.json() == {"id": CREATED, "state": "IN_PROGRESS"}
    order = MetaOrder.objects.get(pk=CREATED)
    assert order.state == "IN_PROGRESS" and order.merchant_order_id == "OG-1" and order.last_updated == NOW
    body = manage_graph.get(CREATED, fields="order_status,merchant_order_id").json()
    assert body["order_status"] == {"state": "IN_PROGRESS"} and body["merchant_order_id"] == "OG-1"


def test_acknowledge_requires_an_idempotency_key(manage_graph, world):
    error = error_of(manage_graph.post(f"{CREATED}/acknowledge_order"))
    assert error["code"] == 100 and "idempotency_key" in error["message"]
    assert state(CREATED) == "CREATED"


def test_acknowledge_refuses_fb_processing_and_already_acknowledged(manage_graph, world):
    assert error_of(manage_graph.post(f"{PROCESSING}/acknowledge_order", idempotency_key="a"))["code"] == 100
    assert state(PROCESSING) == "FB_PROCESSING"
    assert "IN_PROGRESS" in error_of(manage_graph.post(f"{IN_PROGRESS}/acknowledge_order", idempotency_key="b"))["message"]


def test_acknowledge_replays_for_the_same_key(manage_graph, world):
    first = manage_graph.post(f"{CREATED}/acknowledge_order", idempotency_key="same")
    again = manage_graph.post(f"{CREATED}/acknowledge_order", idempotency_key="same")
    assert again.status_code == 200 and again.json() == first.json()  # not "already acknowledged"


# Acknowledge in batch
# ------------------------------------------------------------------------------------------------------


def test_batch_acknowledge_reports_per_order(manage_graph, world):
    orders = [
        {"id": CREATED, "merchant_order_reference": "OG-1"},
        {"id": "2299999999999999"},  # unknown
        {"id": CREATED_2},
        {"id": IN_PROGRESS},
    ]
    response = manage_graph.post(f"{CMS}/acknowledge_orders", idempotency_key="batch-1", orders=orders)
    assert response.status_code == 200
    results = response.json()["orders"]
    assert results[0] == {"id": CREATED, "state": "IN_PROGRESS"}
    assert results[1] == {"id": "2299999999999999", "error": {"error_code": 2361003, "error_message": "Invalid Order ID"}}
    assert results[2] == {"id": CREATED_2, "state": "IN_PROGRESS"}
    assert results[3]["id"] == IN_PROGRESS and "error" in results[3]
    assert MetaOrder.objects.get(pk=CREATED).merchant_order_id == "OG-1"


def test_batch_acknowledge_treats_other_accounts_orders_as_invalid(manage_graph, load):
    data = base_scenario([meta_order(CREATED, "CREATED", "-3h"), meta_order(CREATED_2, "CREATED", "-3h", account=OTHER_CMS)])
    load(data)
    results = manage_graph.post(f"{CMS}/acknowledge_orders", idempotency_key="k", orders=[{"id": CREATED_2}]).json()["orders"]
    assert results[0]["error"]["error_code"] == 2361003
    assert state(CREATED_2) == "CREATED"


def test_batch_acknowledge_accepts_at_most_100(manage_graph, world):
    orders = [{"id": f"23000000000{i:05d}"} for i in range(101)]
    response = manage_graph.post(f"{CMS}/acknowledge_orders", idempotency_key="too-many", orders=orders)
    assert response.status_code == 400 and error_of(response)["code"] == 100
    hundred = manage_graph.post(f"{CMS}/acknowledge_orders", idempotency_key="hundred", orders=orders[:100])
    assert hundred.status_code == 200 and len(hundred.json()["orders"]) == 100


def test_batch_with_an_fb_processing_order_fails_whole_and_replays(manage_graph, world):
    orders = [{"id": CREATED}, {"id": PROCESSING}]
    first = manage_graph.post(f"{CMS}/acknowledge_orders", idempotency_key="mixed", orders=orders)
    assert first.status_code == 400 and PROCESSING in error_of(first)["message"]
    assert state(CREATED) == "CREATED"  # nothing was acknowledged
    replay = manage_graph.post(f"{CMS}/acknowledge_orders", idempotency_key="mixed", orders=orders)
    assert replay.status_code == 400 and replay.json() == first.json()
    retry = manage_graph.post(f"{CMS}/acknowledge_orders", idempotency_key="mixed-2", orders=[{"id": CREATED}])
    assert retry.json()["orders"][0]["state"] == "IN_PROGRESS"


def test_batch_accepts_a_json_body(client, world):
    from orderguard.sandbox.meta.auth import proof
    from tests.sandbox.helpers import MANAGE_TOKEN

    body = {"access_token": MANAGE_TOKEN, "appsecret_proof": proof(MANAGE_TOKEN), "idempotency_key": "json", "orders": [{"id": CREATED}]}
    response = client.post(f"/_sandbox/meta/graph/v25.0/{CMS}/acknowledge_orders", json.dumps(body), content_type="application/json")
    assert response.json() == {"orders": [{"id": CREATED, "state": "IN_PROGRESS"}]}


# Cancellations
# ------------------------------------------------------------------------------------------------------

REASON = {"reason_code": "OUT_OF_STOCK", "reason_description": "Sold out, sorry."}


def test_full_cancel_completes_the_order_and_records_the_cancellation(manage_graph, world):
    response = manage_graph.post(f"{CREATED}/cancellations", idempotency_key="c-1", cancel_reason=REASON, restock_items="true")
    assert response.status_code == 200 and response.json() == {"success": True}
    order = manage_graph.get(CREATED, fields="order_status,items{quantity,status},cancellations{cancel_reason,items}").json()
    assert order["order_status"] == {"state": "COMPLETED"}
    assert order["items"]["data"][0]["status"] == {"in_progress": 0, "fulfilled": 0, "cancelled": 1}
    cancellation = order["cancellations"]["data"][0]
    assert cancellation["cancel_reason"] == REASON and cancellation["items"]["data"][0]["quantity"] == 1
    assert ids(manage_graph.get(f"{CMS}/commerce_orders", state="COMPLETED", filters="has_cancellations")) == [CREATED]


def test_cancel_requires_an_idempotency_key(manage_graph, world):
    assert "idempotency_key" in error_of(manage_graph.post(f"{CREATED}/cancellations", cancel_reason=REASON))["message"]
    assert state(CREATED) == "CREATED"


def test_same_key_same_body_replays_without_running_again(manage_graph, world):
    first = manage_graph.post(f"{TWO_ITEMS}/cancellations", idempotency_key="p-1", cancel_reason=REASON,
                              items=[{"retailer_id": "SKU-A", "quantity": 1}])
    again = manage_graph.post(f"{TWO_ITEMS}/cancellations", idempotency_key="p-1", cancel_reason=REASON,
                              items=[{"retailer_id": "SKU-A", "quantity": 1}])
    assert first.json() == again.json() == {"success": True}
    order = MetaOrder.objects.get(pk=TWO_ITEMS)
    assert len(order.cancellations) == 1 and order.items[0]["cancelled"] == 1  # executed once
    assert order.state == "IN_PROGRESS"


def test_same_key_different_body_is_an_error(manage_graph, world):
    manage_graph.post(f"{TWO_ITEMS}/cancellations", idempotency_key="p-2", cancel_reason=REASON, items=[{"retailer_id": "SKU-A", "quantity": 1}])
    response = manage_graph.post(f"{TWO_ITEMS}/cancellations", idempotency_key="p-2", cancel_reason=REASON, items=[{"retailer_id": "SKU-A", "quantity": 2}])
    assert response.status_code == 400 and "idempotency_key" in error_of(response)["message"]
    assert MetaOrder.objects.get(pk=TWO_ITEMS).items[0]["cancelled"] == 1
    # And a key used for another endpoint cannot be reused either.
    assert error_of(manage_graph.post(f"{CREATED}/acknowledge_order", idempotency_key="p-2"))["code"] == 100


def test_a_failed_cancellation_is_replayed_too(manage_graph, world):
    first = manage_graph.post(f"{SHIPPED}/cancellations", idempotency_key="late")
    again = manage_graph.post(f"{SHIPPED}/cancellations", idempotency_key="late")
    assert first.status_code == again.status_code == 400 and first.json() == again.json()


def test_partial_cancel_then_rest_completes(manage_graph, world):
    manage_graph.post(f"{TWO_ITEMS}/cancellations", idempotency_key="x1", items=[{"retailer_id": "SKU-A", "quantity": 3}])
    assert state(TWO_ITEMS) == "IN_PROGRESS"
    item_b = MetaOrder.objects.get(pk=TWO_ITEMS).items[1]["id"]
    assert error_of(manage_graph.post(f"{TWO_ITEMS}/cancellations", idempotency_key="x2", items=[{"item_id": item_b, "quantity": 2}]))["code"] == 100
    assert error_of(manage_graph.post(f"{TWO_ITEMS}/cancellations", idempotency_key="x3", items=[{"item_id": item_b, "retailer_id": "SKU-B", "quantity": 1}]))["code"] == 100
    manage_graph.post(f"{TWO_ITEMS}/cancellations", idempotency_key="x4", items=[{"item_id": item_b, "quantity": 1}])
    assert state(TWO_ITEMS) == "COMPLETED"


def test_cancel_rules_by_state(manage_graph, world, clock):
    assert error_of(manage_graph.post(f"{SHIPPED}/cancellations", idempotency_key="s1"))["code"] == 100
    assert error_of(manage_graph.post(f"{PROCESSING}/cancellations", idempotency_key="s2"))["code"] == 100
    assert state(PROCESSING) == "FB_PROCESSING"
    # Stuck in FB_PROCESSING for more than 24 hours: cancellable.
    assert manage_graph.post(f"{STUCK}/cancellations", idempotency_key="s3", cancel_reason=REASON).json() == {"success": True}
    assert state(STUCK) == "COMPLETED"
    assert error_of(manage_graph.post(f"{CREATED}/cancellations", idempotency_key="s4", cancel_reason={"reason_code": "BORED"}))["code"] == 100


def test_cancelling_an_imported_order_voids_it_in_shopify_unless_the_channel_is_broken(manage_graph, load):
    load(base_scenario([meta_order(IN_PROGRESS, "IN_PROGRESS", "-2d")], behaviour="healthy"))
    manage_graph.post(f"{IN_PROGRESS}/cancellations", idempotency_key="v1")
    shopify_order = SandboxShopifyOrder.objects.get(meta_orders__id=IN_PROGRESS)
    assert shopify_order.cancelled_at is not None and shopify_order.financial_status == "VOIDED"


# order_management_apps and settings
# ------------------------------------------------------------------------------------------------------


def test_order_management_apps_lists_registers_and_deletes(graph, manage_graph, world):
    assert graph.get(f"{CMS}/order_management_apps").json()["data"] == [{"id": "2329312", "name": "Shopify"}]
    assert manage_graph.delete(f"{CMS}/order_management_apps").json() == {"success": True}
    assert graph.get(f"{CMS}/order_management_apps").json() == {"data": []}
    assert manage_graph.post(f"{CMS}/order_management_apps").json() == {"success": True}
    apps = graph.get(f"{CMS}/order_management_apps").json()["data"]
    assert apps[0]["name"] == "OrderGuard"
    assert error_of(graph.post(f"{CMS}/order_management_apps"))["code"] == 200  # read-only token


def test_without_an_order_management_app_meta_auto_acknowledges(load, graph, clock):
    load(base_scenario([meta_order(PROCESSING, "FB_PROCESSING", "-10m")], order_management_app=None))
    clock.shift(timedelta(minutes=21))
    order = graph.get(PROCESSING, fields="order_status").json()
    assert order["order_status"] == {"state": "IN_PROGRESS"}


def test_setup_status_and_account_fields(graph, world):
    assert graph.get(f"{CMS}/setup_status").json()["data"] == [
        {"shop_setup": "SETUP", "payment_setup": "SETUP", "review_status": {"status": "APPROVED", "reasons": []}}
    ]
    account = graph.get(CMS, fields="id,display_name,merchant_page,merchant_status").json()
    assert account == {"id": CMS, "display_name": "Test Outfitters", "merchant_page": {"id": "104500000000001", "name": "Test Outfitters"}, "merchant_status": "ENABLED"}
    assert graph.get(CMS).json() == {"id": CMS, "display_name": "Test Outfitters"}
    MetaCommerceAccount.objects.filter(pk=CMS).update(checkout="website")
    assert graph.get(CMS, fields="cta").json()["cta"] != "ONSITE_CHECKOUT"
