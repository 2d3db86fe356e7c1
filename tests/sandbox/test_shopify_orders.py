"""The sandbox Shopify's orders connection and installed channels, executed over Shopify's real schema
(orderguard.sandbox.shopify.executor.run) with the app's own documents."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderguard.integrations.shopify.documents import load as load_document
from orderguard.sandbox.models import SandboxShop, SandboxShopifyOrder
from orderguard.sandbox.shopify.executor import run
from tests.sandbox.helpers import NOW, SHOP, base_scenario, meta_order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

FB_ORDER = "2700000000000001"
IG_ORDER = "2700000000000002"
CANCELLED = "2700000000000003"

PAGE_QUERY = """
query Page($query: String, $first: Int, $last: Int, $after: String, $before: String, $reverse: Boolean) {
  orders(first: $first, last: $last, after: $after, before: $before, query: $query, sortKey: CREATED_AT, reverse: $reverse) {
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


@pytest.fixture
def shop(load) -> SandboxShop:
    data = base_scenario([
        meta_order(FB_ORDER, "IN_PROGRESS", "-3d", channel="facebook"),
        meta_order(IG_ORDER, "IN_PROGRESS", "-2d", channel="instagram"),
        meta_order(CANCELLED, "COMPLETED", "-1d", channel="facebook", acknowledged="-23h", shopify="imported",
                   cancelled={"at": "-20h", "reason_code": "CUSTOMER_REQUESTED"}),
    ])
    data["shopify_orders"] = [
        {"created": "-5d", "source_name": "web", "total": "54.00"},
        {"created": "-4d", "source_name": "pos", "total": "12.50"},
        {"created": "-12h", "source_name": "web", "total": "99.99", "note": f"Asked about Facebook order {FB_ORDER}"},
        {"created": "-90d", "source_name": "web", "total": "10.00"},
    ]
    load(data)
    return SandboxShop.objects.get(domain=SHOP)


def execute(shop, document: str, **variables) -> dict:
    outcome = run(shop=shop, document=document, variables=variables, operation_name=None, scopes={"read_orders"})
    assert outcome.status == 200 and "errors" not in outcome.body, outcome.body
    return outcome.body["data"]


def names(shop, query: str, **variables) -> list[str]:
    data = execute(shop, PAGE_QUERY, query=query, first=variables.pop("first", 50), **variables)
    return [edge["node"]["name"] for edge in data["orders"]["edges"]]


def name_of(meta_id: str) -> str:
    return SandboxShopifyOrder.objects.get(source_identifier__startswith=f"{meta_id},").name


def test_the_apps_social_orders_document_returns_channel_orders(shop):
    since = (NOW - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = execute(shop, load_document("social_orders"), query=f"source_name:2329312 updated_at:>='{since}'")
    nodes = data["orders"]["nodes"]
    assert [node["sourceIdentifier"].split(",")[0] for node in nodes] == [CANCELLED, IG_ORDER, FB_ORDER]  # UPDATED_AT, reverse
    fb = nodes[2]
    assert fb["sourceName"] == "2329312" and fb["id"].startswith("gid://shopify/Order/")
    assert fb["customAttributes"] == [{"key": "Channel", "value": "Facebook"}, {"key": "Facebook Order ID", "value": FB_ORDER}]
    assert fb["displayFinancialStatus"] == "AUTHORIZED" and fb["displayFulfillmentStatus"] == "UNFULFILLED"
    assert fb["totalPriceSet"]["shopMoney"] == {"amount": "113.00", "currencyCode": "USD"}
    assert fb["createdAt"].endswith("Z") and fb["cancelledAt"] is None and fb["tags"] == []
    assert fb["channelInformation"]["channelDefinition"] == {"handle": "facebook", "channelName": "Facebook", "subChannelName": "Facebook Shop"}
    assert fb["attribution"] == {"handle": "facebook", "displayName": "Facebook Shop"}
    ig = nodes[1]
    assert ig["attribution"] == {"handle": "instagram", "displayName": "Instagram Shopping"}
    assert ig["customAttributes"][0] == {"key": "Channel", "value": "Instagram"}
    assert nodes[0]["cancelledAt"].endswith("Z") and nodes[0]["displayFinancialStatus"] == "VOIDED"
    assert data["orders"]["pageInfo"] == {"hasNextPage": False, "endCursor": data["orders"]["pageInfo"]["endCursor"]}


def test_search_terms(shop):
    web = sorted(names(shop, "source_name:web"))
    assert len(web) == 2  # the 90-day-old web order is beyond the 60 days an app without read_all_orders sees
    assert sorted(names(shop, "channel:facebook,instagram")) == sorted([name_of(FB_ORDER), name_of(IG_ORDER), name_of(CANCELLED)])
    assert names(shop, "channel:instagram") == [name_of(IG_ORDER)]
    assert names(shop, "status:cancelled") == [name_of(CANCELLED)]
    assert len(names(shop, "status:open source_name:2329312")) == 2
    assert len(names(shop, "status:any")) == 6
    assert sorted(names(shop, "source_name:web OR source_name:pos")) == sorted(names(shop, "-source_name:2329312"))
    assert len(names(shop, "source_name:2329312 channel:facebook OR channel:instagram")) == 3
    assert names(shop, "source_name:pos OR channel:instagram source_name:web") == []
    assert len(names(shop, "NOT (source_name:web OR source_name:pos)")) == 3


def test_date_terms(shop):
    cutoff = (NOW - timedelta(days=2, hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = names(shop, f"created_at:>='{cutoff}'")
    older = names(shop, f'created_at:<"{cutoff}"')
    assert len(recent) + len(older) == 6 and set(recent).isdisjoint(older)
    assert name_of(FB_ORDER) in older and name_of(IG_ORDER) in recent
    day = (NOW - timedelta(days=1)).date().isoformat()
    assert set(names(shop, f"created_at:>{day}")) <= set(recent)
    # Imported 23 hours ago, cancelled (so updated) 20 hours ago.
    mark = (NOW - timedelta(hours=21)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert names(shop, f"updated_at:>={mark} created_at:<{mark}") == [name_of(CANCELLED)]
    assert names(shop, "updated_at:>'2999-01-01T00:00:00Z'") == []


def test_unknown_terms_and_free_text_are_ignored(shop):
    assert len(names(shop, "favourite_colour:blue hello")) == 6
    assert names(shop, "favourite_colour:blue source_name:pos") == names(shop, "source_name:pos")


def test_paging_forwards_and_backwards(shop):
    first = execute(shop, PAGE_QUERY, query="", first=4)["orders"]
    assert len(first["edges"]) == 4 and first["pageInfo"]["hasNextPage"] is True and first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"] and first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    second = execute(shop, PAGE_QUERY, query="", first=4, after=first["pageInfo"]["endCursor"])["orders"]
    assert len(second["edges"]) == 2 and second["pageInfo"]["hasNextPage"] is False and second["pageInfo"]["hasPreviousPage"] is True
    everything = [e["node"]["name"] for e in first["edges"] + second["edges"]]
    assert len(set(everything)) == 6
    back = execute(shop, PAGE_QUERY, query="", last=4, before=second["pageInfo"]["startCursor"])["orders"]
    assert [e["node"]["name"] for e in back["edges"]] == everything[:4]
    reversed_names = names(shop, "", reverse=True)
    assert reversed_names == list(reversed(everything))


def test_paging_with_the_apps_document_over_more_than_100_orders(shop):
    SandboxShopifyOrder.objects.bulk_create([
        SandboxShopifyOrder(shop=shop, numeric_id=6_000_000_000_000 + i, order_number=5000 + i, name=f"#{5000 + i}",
                            created_at=NOW - timedelta(hours=i), updated_at=NOW - timedelta(hours=i), source_name="2329312",
                            source_identifier=f"29000000000{i:05d},1000000000000000", total_amount=10)
        for i in range(130)
    ])
    document = load_document("social_orders")
    page = execute(shop, document, query="source_name:2329312")["orders"]
    assert len(page["nodes"]) == 100 and page["pageInfo"]["hasNextPage"] is True
    rest = execute(shop, document, query="source_name:2329312", after=page["pageInfo"]["endCursor"])["orders"]
    assert len(rest["nodes"]) == 33 and rest["pageInfo"]["hasNextPage"] is False
    assert {n["id"] for n in page["nodes"]}.isdisjoint({n["id"] for n in rest["nodes"]})


def test_installed_channels(shop):
    data = execute(shop, load_document("installed_channels"))
    channels = data["shop"]["channelDefinitionsForInstalledChannels"]
    assert [channel["channelName"] for channel in channels] == ["Facebook & Instagram"]
    assert channels[0]["channelDefinitions"] == [
        {"handle": "facebook", "channelName": "Facebook", "subChannelName": "Facebook Shop", "isMarketplace": True},
        {"handle": "instagram", "channelName": "Instagram", "subChannelName": "Instagram Shopping", "isMarketplace": True},
    ]
    SandboxShop.objects.filter(pk=shop.pk).update(facebook_channel_installed=False)
    shop.refresh_from_db()
    assert execute(shop, load_document("installed_channels"))["shop"]["channelDefinitionsForInstalledChannels"] == []


def test_documents_shopify_would_reject_are_rejected(shop):
    outcome = run(shop=shop, document="{ orders(first: 5) { nodes { facebookOrderId } } }", variables={}, operation_name=None, scopes={"read_orders"})
    assert outcome.body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    outcome = run(shop=shop, document="{ orders(first: 5) { nodes { id } } }", variables={}, operation_name=None, scopes=set())
    assert outcome.body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
