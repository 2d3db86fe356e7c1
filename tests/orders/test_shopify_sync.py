"""Storing Shopify's social orders: typed orders mapped to the matcher's input and to rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderguard.orders.models import ShopifySocialOrder
from orderguard.orders.shopify_sync import ShopifyOrderRecord, shopify_orders_store
from orderguard.reconciliation import matching
from tests.orders import builders
from tests.orders.builders import NOW

pytestmark = pytest.mark.django_db

META_ID = "2904417823351201"


def _store(shop, *orders):
    return shopify_orders_store(shop=shop, records=[ShopifyOrderRecord.from_order(order) for order in orders])


def test_a_record_hands_the_matcher_every_field_that_may_hold_the_meta_id():
    order = builders.shopify_order(source_identifier=f"{META_ID},77", custom_attributes=(("Facebook Order ID", META_ID),),
                                   tags=("fb",), note="from Instagram")

    record = ShopifyOrderRecord.from_order(order)

    assert record.fields == matching.ShopifyOrderFields(source_name="2329312", source_identifier=f"{META_ID},77",
                                                        custom_attributes=(("Facebook Order ID", META_ID),), tags=("fb",),
                                                        note="from Instagram")
    assert (record.shopify_order_id, record.name) == ("gid://shopify/Order/1001", "#1001")


@pytest.mark.parametrize(
    "fields, matched_field",
    [
        ({"source_identifier": f"{META_ID},5550001"}, "source_identifier"),
        ({"custom_attributes": (("Facebook Order ID", META_ID),)}, "attribute:Facebook Order ID"),
    ],
)
def test_structured_fields_name_the_meta_order_outright(fields, matched_field):
    shop = builders.shop()

    _store(shop, builders.shopify_order(**fields))

    row = ShopifySocialOrder.objects.get()
    assert (row.meta_order_id, row.matched_field) == (META_ID, matched_field)
    assert (row.name, row.source_name, row.financial_status, row.shopify_created_at) == ("#1001", "2329312", "PAID", NOW)


def test_an_id_in_tags_or_the_note_counts_only_when_meta_sent_that_order():
    shop = builders.shop()
    builders.social_order(shop, META_ID)

    _store(shop, builders.shopify_order("gid://shopify/Order/1", tags=(META_ID,)),
           builders.shopify_order("gid://shopify/Order/2", note="ref 2904417823359999"))

    by_gid = dict(ShopifySocialOrder.objects.values_list("shopify_order_id", "meta_order_id"))
    assert by_gid == {"gid://shopify/Order/1": META_ID, "gid://shopify/Order/2": ""}


def test_storing_again_updates_only_what_changed():
    shop = builders.shop()
    _store(shop, builders.shopify_order(source_identifier=META_ID))

    unchanged = _store(shop, builders.shopify_order(source_identifier=META_ID))
    cancelled = _store(shop, builders.shopify_order(source_identifier=META_ID, cancelled_at=NOW + timedelta(hours=1)))

    assert unchanged == []
    assert [row.cancelled_at for row in cancelled] == [NOW + timedelta(hours=1)]
    assert ShopifySocialOrder.objects.get().cancelled_at == NOW + timedelta(hours=1)


def test_long_values_are_cut_to_the_columns():
    shop = builders.shop()

    _store(shop, builders.shopify_order(name="#" + "9" * 40, financial_status="X" * 40))

    row = ShopifySocialOrder.objects.get()
    assert (len(row.name), len(row.financial_status)) == (32, 32)


def test_nothing_to_store_costs_no_query(django_assert_num_queries):
    shop = builders.shop()
    with django_assert_num_queries(0):
        assert shopify_orders_store(shop=shop, records=[]) == []


def test_the_social_channel_is_stored_and_a_later_payload_that_does_not_say_keeps_it():
    shop = builders.shop()
    _store(shop, builders.shopify_order(source_identifier=META_ID, custom_attributes=(("Channel", "Instagram"),)))
    assert ShopifySocialOrder.objects.get().social_channel == "instagram"

    _store(shop, builders.shopify_order(source_identifier=META_ID, cancelled_at=NOW + timedelta(hours=1)))

    row = ShopifySocialOrder.objects.get()
    assert (row.social_channel, row.cancelled_at) == ("instagram", NOW + timedelta(hours=1))


def test_an_order_that_does_not_say_its_channel_is_stored_as_unknown():
    shop = builders.shop()
    _store(shop, builders.shopify_order(source_identifier=META_ID))
    assert ShopifySocialOrder.objects.get().social_channel is None
