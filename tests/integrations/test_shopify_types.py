"""Parsing Admin API answers and orders webhooks into the Shopify integration's typed results. Pure."""

from __future__ import annotations

from datetime import UTC, datetime

from orderguard.integrations.shopify.types import ChannelDefinition, OrdersPage, ShopifyOrder, parse_datetime

NODE = {
    "id": "gid://shopify/Order/1001",
    "name": "#1001",
    "createdAt": "2026-11-27T10:00:00Z",
    "updatedAt": "2026-11-27T10:05:00Z",
    "cancelledAt": None,
    "sourceName": "2329312",
    "sourceIdentifier": "2904417823351201,5550001",
    "note": None,
    "tags": ["facebook", "vip"],
    "customAttributes": [{"key": "Facebook Order ID", "value": "2904417823351201"}, {"key": None, "value": None}],
    "displayFinancialStatus": "PAID",
    "displayFulfillmentStatus": "UNFULFILLED",
}


def test_an_order_node_becomes_a_shopify_order():
    order = ShopifyOrder.from_api(NODE)

    assert order == ShopifyOrder(
        id="gid://shopify/Order/1001", name="#1001", source_name="2329312", source_identifier="2904417823351201,5550001",
        custom_attributes=(("Facebook Order ID", "2904417823351201"), ("", "")), tags=("facebook", "vip"), note="",
        created_at=datetime(2026, 11, 27, 10, 0, tzinfo=UTC), updated_at=datetime(2026, 11, 27, 10, 5, tzinfo=UTC),
        cancelled_at=None, financial_status="PAID", fulfillment_status="UNFULFILLED",
    )


def test_a_narrow_node_still_parses_with_empty_values():
    order = ShopifyOrder.from_api({"id": "gid://shopify/Order/7"})

    assert (order.name, order.tags, order.custom_attributes, order.created_at, order.financial_status) == ("", (), (), None, "")


def test_a_page_keeps_its_orders_and_where_the_next_page_starts():
    page = OrdersPage.from_data({"orders": {"pageInfo": {"hasNextPage": True, "endCursor": "abc"}, "nodes": [NODE, NODE]}})
    last = OrdersPage.from_data({"orders": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}})

    assert (len(page.orders), page.has_next_page, page.end_cursor) == (2, True, "abc")
    assert (last.orders, last.has_next_page, last.end_cursor) == ((), False, None)


def test_an_orders_webhook_payload_becomes_the_same_type():
    payload = {
        "id": 1001, "name": "#1001", "source_name": "2329312", "source_identifier": "2904417823351201,5550001",
        "note_attributes": [{"name": "Facebook Order ID", "value": "2904417823351201"}, "not a dict"],
        "tags": "facebook, vip ,", "note": None, "created_at": "2026-11-27T11:00:00+01:00",
        "updated_at": "2026-11-27T10:05:00Z", "cancelled_at": None, "financial_status": "paid", "fulfillment_status": None,
    }

    order = ShopifyOrder.from_webhook(payload)

    assert order.id == "gid://shopify/Order/1001"  # built from the REST id when admin_graphql_api_id is absent
    assert order.custom_attributes == (("Facebook Order ID", "2904417823351201"),)
    assert order.tags == ("facebook", "vip") and order.note == ""
    assert order.created_at == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert (order.financial_status, order.fulfillment_status) == ("PAID", "")
    assert ShopifyOrder.from_webhook({**payload, "admin_graphql_api_id": "gid://shopify/Order/9"}).id == "gid://shopify/Order/9"


def test_installed_channels_flatten_into_their_definitions():
    data = {"shop": {"channelDefinitionsForInstalledChannels": [
        {"channelName": "Facebook & Instagram", "channelDefinitions": [
            {"handle": "facebook-shop", "channelName": "Facebook", "subChannelName": "Shop", "isMarketplace": False},
            {"handle": "instagram-shop", "channelName": "Instagram", "subChannelName": None, "isMarketplace": True},
        ]},
        {"channelName": "Online Store", "channelDefinitions": [{"handle": "web"}]},
    ]}}

    definitions = ChannelDefinition.list_from_data(data)

    assert definitions == [
        ChannelDefinition(handle="facebook-shop", channel_name="Facebook & Instagram", definition_name="Facebook",
                          sub_channel_name="Shop", is_marketplace=False),
        ChannelDefinition(handle="instagram-shop", channel_name="Facebook & Instagram", definition_name="Instagram",
                          sub_channel_name="", is_marketplace=True),
        ChannelDefinition(handle="web", channel_name="Online Store", definition_name="", sub_channel_name="", is_marketplace=False),
    ]
    assert ChannelDefinition.list_from_data({"shop": None}) == []


def test_timestamps_are_aware_and_bad_ones_are_none():
    assert parse_datetime("2026-11-27T10:00:00") == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert [parse_datetime(value) for value in ("", None, "yesterday", 5)] == [None, None, None, None]


def test_the_orders_selling_surface_names_are_kept_most_specific_first():
    node = {**NODE, "attribution": {"handle": "instagram", "displayName": "Instagram Shopping"},
            "channelInformation": {"displayName": "Facebook & Instagram",
                                   "channelDefinition": {"handle": "ig", "channelName": "Facebook & Instagram", "subChannelName": "Instagram Shop"}}}

    assert ShopifyOrder.from_api(node).channel_names == (
        "Instagram Shopping", "instagram", "Instagram Shop", "Facebook & Instagram", "ig", "Facebook & Instagram",
    )
    assert ShopifyOrder.from_api({**NODE, "attribution": None, "channelInformation": None}).channel_names == ()
