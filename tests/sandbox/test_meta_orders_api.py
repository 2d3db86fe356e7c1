"""GET /{cms}/commerce_orders, /{order}, /{order}/items: Meta's documented listing behaviour."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from tests.sandbox.helpers import CMS, NOW, OTHER_CMS, base_scenario, error_of, ids, meta_order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

CREATED_OLD = "2000000000000001"
CREATED_NEW = "2000000000000002"
PROCESSING = "2000000000000003"
IN_PROGRESS = "2000000000000004"
COMPLETED_SHIPPED = "2000000000000005"
COMPLETED_CANCELLED = "2000000000000006"


@pytest.fixture
def orders(load):
    load(base_scenario([
        meta_order(CREATED_OLD, "CREATED", "-5h"),
        meta_order(CREATED_NEW, "CREATED", "-40m"),
        meta_order(PROCESSING, "FB_PROCESSING", "-20m"),
        meta_order(IN_PROGRESS, "IN_PROGRESS", "-2d"),
        meta_order(COMPLETED_SHIPPED, "COMPLETED", "-6d", shipped={"at": "-4d"}),
        meta_order(COMPLETED_CANCELLED, "COMPLETED", "-3d", cancelled={"at": "-3d", "reason_code": "SUSPICIOUS_ORDER"}),
    ]))


def test_default_lists_created_orders_only_with_default_fields(graph, orders):
    response = graph.get(f"{CMS}/commerce_orders")
    assert ids(response) == [CREATED_NEW, CREATED_OLD]  # newest first
    first = response.json()["data"][0]
    assert set(first) == {"id", "order_status", "created", "last_updated"}
    assert first["order_status"] == {"state": "CREATED"}
    assert first["created"] == (NOW - timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_state_list_is_an_or(graph, orders):
    assert set(ids(graph.get(f"{CMS}/commerce_orders", state="FB_PROCESSING,IN_PROGRESS"))) == {PROCESSING, IN_PROGRESS}
    everything = ids(graph.get(f"{CMS}/commerce_orders", state="FB_PROCESSING,CREATED,IN_PROGRESS,COMPLETED"))
    assert len(everything) == 6


def test_unknown_state_is_a_parameter_error(graph, orders):
    response = graph.get(f"{CMS}/commerce_orders", state="CREATED,SHIPPED")
    assert response.status_code == 400
    assert error_of(response)["code"] == 100 and "state[1]" in error_of(response)["message"]


def test_updated_after_and_before_read_the_status_change_time(graph, orders):
    all_states = "FB_PROCESSING,CREATED,IN_PROGRESS,COMPLETED"
    # CREATED_NEW became CREATED 10 minutes ago (created 40 min ago + 30 min processing).
    since = int((NOW - timedelta(minutes=15)).timestamp())
    assert ids(graph.get(f"{CMS}/commerce_orders", state=all_states, updated_after=since)) == [CREATED_NEW]
    # The FB_PROCESSING order was last updated when it was placed (20 min ago).
    since = int((NOW - timedelta(minutes=25)).timestamp())
    assert set(ids(graph.get(f"{CMS}/commerce_orders", state=all_states, updated_after=since))) == {CREATED_NEW, PROCESSING}
    # Shipped 4 days ago, cancelled 3 days ago, acknowledged 2 days ago.
    before = int((NOW - timedelta(days=4, hours=1)).timestamp())
    assert ids(graph.get(f"{CMS}/commerce_orders", state=all_states, updated_before=before)) == []
    before = int((NOW - timedelta(days=3, hours=12)).timestamp())
    assert ids(graph.get(f"{CMS}/commerce_orders", state=all_states, updated_before=before)) == [COMPLETED_SHIPPED]
    before = int((NOW - timedelta(days=1)).timestamp())
    assert set(ids(graph.get(f"{CMS}/commerce_orders", state=all_states, updated_before=before))) == {IN_PROGRESS, COMPLETED_SHIPPED, COMPLETED_CANCELLED}


def test_filters_are_anded(graph, orders):
    completed = "IN_PROGRESS,COMPLETED"
    assert ids(graph.get(f"{CMS}/commerce_orders", state=completed, filters="has_cancellations")) == [COMPLETED_CANCELLED]
    assert set(ids(graph.get(f"{CMS}/commerce_orders", state=completed, filters="no_cancellations"))) == {IN_PROGRESS, COMPLETED_SHIPPED}
    assert ids(graph.get(f"{CMS}/commerce_orders", state=completed, filters="no_cancellations,no_shipments")) == [IN_PROGRESS]
    assert ids(graph.get(f"{CMS}/commerce_orders", state=completed, filters="has_cancellations,has_refunds")) == []
    assert error_of(graph.get(f"{CMS}/commerce_orders", filters="shipped_late"))["code"] == 100


def test_fields_select_exactly_what_is_asked_including_nested(graph, orders):
    response = graph.get(
        f"{CMS}/commerce_orders",
        fields="channel,items{retailer_id,quantity,status},buyer_details{name},estimated_payment_details{total_amount}",
    )
    row = response.json()["data"][0]
    assert set(row) == {"id", "channel", "items", "buyer_details", "estimated_payment_details"}  # id always
    assert row["buyer_details"] == {"name": "Buyer 02"}
    assert row["estimated_payment_details"] == {"total_amount": {"amount": "113.00", "currency": "USD"}}
    item = row["items"]["data"][0]
    assert set(item) == {"id", "retailer_id", "quantity", "status"}
    assert item["status"] == {"in_progress": 1, "fulfilled": 0, "cancelled": 0}


def test_nested_edges_without_subselection_get_their_default_fields(graph, orders):
    row = graph.get(f"{CMS}/commerce_orders", fields="items").json()["data"][0]
    assert set(row["items"]["data"][0]) == {"id", "retailer_id", "product_id", "quantity", "price_per_unit"}


def test_unknown_fields_are_meta_errors(graph, orders):
    error = error_of(graph.get(f"{CMS}/commerce_orders", fields="id,total_price"))
    assert error["code"] == 100 and "nonexisting field (total_price)" in error["message"]
    assert error_of(graph.get(f"{CMS}/commerce_orders", fields="buyer_details{shoe_size}"))["code"] == 100
    assert error_of(graph.get(f"{CMS}/commerce_orders", fields="items{id"))["code"] == 100  # syntax


def test_buyer_details_and_address_are_not_shared_in_fb_processing(graph, orders):
    fields = "buyer_details{name,email},shipping_address,items{product_name}"
    rows = {row["id"]: row for row in graph.get(f"{CMS}/commerce_orders", state="FB_PROCESSING,CREATED", fields=fields).json()["data"]}
    assert "buyer_details" not in rows[PROCESSING] and "shipping_address" not in rows[PROCESSING]
    assert rows[PROCESSING]["items"]["data"][0]["product_name"] == "Trail Jacket"  # products are shared
    assert rows[CREATED_OLD]["buyer_details"]["email"].endswith("@marketplace.facebook.com")
    assert rows[CREATED_OLD]["shipping_address"]["country"] == "US"


def test_limit_and_cursor_paging_walk_every_order_once(client, graph, orders):
    all_states = "FB_PROCESSING,CREATED,IN_PROGRESS,COMPLETED"
    response = graph.get(f"{CMS}/commerce_orders", state=all_states, limit=4)
    body = response.json()
    assert len(body["data"]) == 4 and "previous" not in body["paging"]
    following = body["paging"]["next"]
    assert urlsplit(following).netloc == "testserver" and urlsplit(following).path == f"/_sandbox/meta/graph/v25.0/{CMS}/commerce_orders"
    second = client.get(following)  # the next URL works as given (it carries the query, token and proof)
    page_two = second.json()
    assert len(page_two["data"]) == 2 and "next" not in page_two["paging"]
    seen = [row["id"] for row in body["data"] + page_two["data"]]
    assert len(set(seen)) == 6
    # Back again with `before`.
    back = graph.get(f"{CMS}/commerce_orders", state=all_states, limit=4, before=page_two["paging"]["cursors"]["before"])
    assert ids(back) == [row["id"] for row in body["data"]]
    # And with the after cursor from the response.
    assert ids(graph.get(f"{CMS}/commerce_orders", state=all_states, limit=4, after=body["paging"]["cursors"]["after"])) == [row["id"] for row in page_two["data"]]


def test_limit_defaults_to_25_and_is_clamped_to_100(graph, load):
    load(base_scenario([meta_order(f"30000000000{i:05d}", "CREATED", f"-{2 + i}h") for i in range(105)]))
    assert len(graph.get(f"{CMS}/commerce_orders").json()["data"]) == 25
    assert len(graph.get(f"{CMS}/commerce_orders", limit=500).json()["data"]) == 100
    assert error_of(graph.get(f"{CMS}/commerce_orders", limit=0))["code"] == 100


def test_empty_list_has_no_paging(graph, load):
    load(base_scenario([]))
    assert graph.get(f"{CMS}/commerce_orders").json() == {"data": []}


def test_single_order_items_and_cancellations(graph, orders):
    order = graph.get(CREATED_OLD, fields="id,order_status,channel,merchant_order_id").json()
    assert order == {"id": CREATED_OLD, "order_status": {"state": "CREATED"}, "channel": "facebook"}
    items = graph.get(f"{CREATED_OLD}/items").json()
    assert [item["retailer_id"] for item in items["data"]] == ["SKU-1"]
    assert items["data"][0]["price_per_unit"] == {"amount": "100.00", "currency": "USD"}
    cancellations = graph.get(f"{COMPLETED_CANCELLED}/cancellations").json()["data"]
    assert cancellations[0]["cancel_reason"]["reason_code"] == "SUSPICIOUS_ORDER"
    assert cancellations[0]["items"]["data"][0]["quantity"] == 1


def test_other_accounts_and_unknown_ids_look_the_same(graph, orders):
    # The token covers CMS only: another account, or an id that does not exist, is "Unsupported get request".
    for target in (f"{OTHER_CMS}/commerce_orders", "9999999999999999", f"{OTHER_CMS}"):
        response = graph.get(target)
        assert response.status_code == 400
        error = error_of(response)
        assert (error["code"], error["error_subcode"], error["type"]) == (100, 33, "GraphMethodException")


def test_unknown_edge_and_old_version(client, graph, orders):
    assert "nonexisting field (commerce_ordres)" in error_of(graph.get(f"{CMS}/commerce_ordres"))["message"]
    old = client.get(f"/_sandbox/meta/graph/v19.0/{CMS}/commerce_orders")
    assert error_of(old)["code"] == 2635
