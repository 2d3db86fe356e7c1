"""Orders move over time, evaluated lazily on each request (time moved with time-machine)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderguard.sandbox.meta import services
from orderguard.sandbox.meta.models import MetaOrder
from orderguard.sandbox.models import SandboxShopifyOrder
from tests.sandbox.helpers import CMS, NOW, base_scenario, meta_order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NEW = "2500000000000001"
WAITING = "2500000000000002"
STUCK = "2500000000000003"


def graph_time(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


def order_state(graph, order_id: str) -> dict:
    return graph.get(order_id, fields="order_status,last_updated,merchant_order_id").json()


def test_fb_processing_becomes_created_after_the_processing_period(graph, load, clock):
    load(base_scenario([meta_order(NEW, "FB_PROCESSING", "-10m"), meta_order(STUCK, "FB_PROCESSING", "-2h", stuck_in_processing=True)]))
    clock.shift(timedelta(minutes=19))
    assert order_state(graph, NEW)["order_status"]["state"] == "FB_PROCESSING"
    clock.shift(timedelta(hours=3))
    body = order_state(graph, NEW)
    assert body["order_status"]["state"] == "CREATED"
    # The change happened when it fell due, not when someone looked.
    assert body["last_updated"] == graph_time(NOW + timedelta(minutes=20))
    assert order_state(graph, STUCK)["order_status"]["state"] == "FB_PROCESSING"


def test_healthy_channel_imports_and_acknowledges_after_the_delay(graph, load, clock):
    load(base_scenario([meta_order(NEW, "FB_PROCESSING", "-20m", channel="instagram")], behaviour="healthy", ack_delay_minutes=3))
    # Becomes CREATED at NOW + 10 min; the channel acts 3 minutes later.
    clock.shift(timedelta(minutes=12, seconds=59))
    assert order_state(graph, NEW)["order_status"]["state"] == "CREATED"
    assert not SandboxShopifyOrder.objects.exists()
    clock.shift(timedelta(minutes=10))
    body = order_state(graph, NEW)
    assert body["order_status"]["state"] == "IN_PROGRESS"
    assert body["last_updated"] == graph_time(NOW + timedelta(minutes=13))
    shopify_order = SandboxShopifyOrder.objects.get()
    assert body["merchant_order_id"] == str(shopify_order.numeric_id)
    # What the Facebook & Instagram channel's orders look like in Shopify.
    assert shopify_order.source_name == "2329312"
    meta_id, second = shopify_order.source_identifier.split(",")
    assert meta_id == NEW and len(second) == 16 and second.isdigit()
    assert shopify_order.custom_attributes == [{"key": "Channel", "value": "Instagram"}, {"key": "Facebook Order ID", "value": NEW}]
    assert (shopify_order.financial_status, shopify_order.fulfillment_status) == ("AUTHORIZED", "UNFULFILLED")
    assert shopify_order.channel_handle == "instagram" and shopify_order.created_at == NOW + timedelta(minutes=13)
    assert shopify_order.total_amount == MetaOrder.objects.get(pk=NEW).total


def test_broken_channel_never_imports_or_acknowledges(graph, load, clock):
    load(base_scenario([meta_order(WAITING, "CREATED", "-2h")], behaviour="broken"))
    clock.shift(timedelta(days=3))
    assert order_state(graph, WAITING)["order_status"]["state"] == "CREATED"
    assert not SandboxShopifyOrder.objects.exists()


def test_imports_without_ack_imports_once_and_leaves_created(graph, load, clock):
    load(base_scenario([meta_order(WAITING, "CREATED", "-2h")], behaviour="imports_without_ack"))
    clock.shift(timedelta(minutes=5))
    graph.get(f"{CMS}/commerce_orders")
    clock.shift(timedelta(hours=5))
    assert order_state(graph, WAITING)["order_status"]["state"] == "CREATED"
    assert SandboxShopifyOrder.objects.filter(source_identifier__startswith=WAITING).count() == 1


def test_switching_broken_to_healthy_acks_on_the_next_request_after_the_delay(graph, load, clock):
    load(base_scenario([meta_order(WAITING, "CREATED", "-6h")], behaviour="broken"))
    clock.shift(timedelta(hours=1))
    switched_at = NOW + timedelta(hours=1)
    services.set_channel_behaviour(CMS, "healthy")
    clock.shift(timedelta(minutes=2))
    assert order_state(graph, WAITING)["order_status"]["state"] == "CREATED"
    clock.shift(timedelta(minutes=1))
    body = order_state(graph, WAITING)
    assert body["order_status"]["state"] == "IN_PROGRESS"
    assert body["last_updated"] == graph_time(switched_at + timedelta(minutes=3))
    assert SandboxShopifyOrder.objects.filter(source_identifier__startswith=WAITING).exists()


def test_switching_to_broken_stops_what_was_not_yet_due(graph, load, clock):
    load(base_scenario([meta_order(NEW, "FB_PROCESSING", "-29m")], behaviour="healthy"))
    clock.shift(timedelta(minutes=2))
    services.set_channel_behaviour(CMS, "broken")
    clock.shift(timedelta(hours=1))
    assert order_state(graph, NEW)["order_status"]["state"] == "CREATED"


def test_an_imported_but_unacknowledged_order_is_acknowledged_without_a_second_import(graph, load, clock):
    load(base_scenario([meta_order(WAITING, "CREATED", "-3h", shopify={"imported_at": "-2h"})], behaviour="broken"))
    services.set_channel_behaviour(CMS, "healthy")
    clock.shift(timedelta(minutes=3))
    assert order_state(graph, WAITING)["order_status"]["state"] == "IN_PROGRESS"
    assert SandboxShopifyOrder.objects.filter(source_identifier__startswith=WAITING).count() == 1


def test_meta_cancels_unshipped_orders_after_30_days(graph, load, clock):
    load(base_scenario([meta_order(WAITING, "CREATED", "-29d23h")], behaviour="broken"))
    assert order_state(graph, WAITING)["order_status"]["state"] == "CREATED"
    clock.shift(timedelta(hours=2))
    body = graph.get(WAITING, fields="order_status,last_updated,cancellations{cancel_reason}").json()
    assert body["order_status"]["state"] == "COMPLETED"
    assert body["last_updated"] == graph_time(NOW + timedelta(hours=1))
    assert body["cancellations"]["data"][0]["cancel_reason"]["reason_code"] == "CANCEL_REASON_OTHER"


def test_the_listing_sees_transitions_too(graph, load, clock):
    load(base_scenario([meta_order(NEW, "FB_PROCESSING", "-25m")], behaviour="broken"))
    assert graph.get(f"{CMS}/commerce_orders").json() == {"data": []}
    clock.shift(timedelta(minutes=6))
    assert [row["id"] for row in graph.get(f"{CMS}/commerce_orders").json()["data"]] == [NEW]
