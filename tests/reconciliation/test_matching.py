"""Matching Shopify orders to Meta orders, field by field."""

from __future__ import annotations

import pytest

from orderguard.reconciliation.matching import (
    FACEBOOK_ORDER_ID_ATTRIBUTE,
    NOTE,
    SOURCE_IDENTIFIER,
    TAGS,
    ShopifyOrderFields,
    candidate_ids,
    looks_like_meta_channel_order,
    match,
    social_channel,
)

META_ID = "896997838783630"


@pytest.mark.parametrize(
    "order, expected",
    [
        (ShopifyOrderFields(source_identifier=f"{META_ID},6790791201038369"), (META_ID, SOURCE_IDENTIFIER)),
        (ShopifyOrderFields(source_identifier=META_ID), (META_ID, SOURCE_IDENTIFIER)),
        (ShopifyOrderFields(custom_attributes=(("Channel", "Instagram"), ("Facebook Order ID", META_ID))), (META_ID, FACEBOOK_ORDER_ID_ATTRIBUTE)),
        (ShopifyOrderFields(tags=("vip", f"fb-{META_ID}")), (META_ID, TAGS)),
        (ShopifyOrderFields(note=f"Facebook order {META_ID} re-created by hand"), (META_ID, NOTE)),
        (ShopifyOrderFields(source_identifier="web-checkout-token"), None),
        (ShopifyOrderFields(note="call the buyer at 0612345678"), None),
        (ShopifyOrderFields(), None),
    ],
)
def test_each_field_is_tried(order, expected):
    assert match(order, known_meta_ids={META_ID}) == expected


def test_ids_stay_strings_and_keep_every_digit():
    long_id = "12345678901234567"  # beyond float precision
    assert match(ShopifyOrderFields(source_identifier=f"{long_id},1")) == (long_id, SOURCE_IDENTIFIER)


def test_free_text_fields_only_match_known_meta_ids():
    order = ShopifyOrderFields(note=f"see {META_ID}", tags=("123456789012345",))
    assert match(order, known_meta_ids=set()) is None
    assert match(order, known_meta_ids={META_ID}) == (META_ID, NOTE)


def test_the_field_order_is_configurable_and_reported():
    order = ShopifyOrderFields(source_identifier="111111111111111,2", custom_attributes=(("Facebook Order ID", "222222222222222"),))
    assert match(order) == ("111111111111111", SOURCE_IDENTIFIER)
    assert match(order, fields=(FACEBOOK_ORDER_ID_ATTRIBUTE, SOURCE_IDENTIFIER)) == ("222222222222222", FACEBOOK_ORDER_ID_ATTRIBUTE)
    assert candidate_ids(order) == [("111111111111111", SOURCE_IDENTIFIER), ("222222222222222", FACEBOOK_ORDER_ID_ATTRIBUTE)]


def test_unknown_fields_are_a_configuration_error():
    with pytest.raises(ValueError):
        candidate_ids(ShopifyOrderFields(), fields=("customer_email",))


@pytest.mark.parametrize(
    "order, expected",
    [
        (ShopifyOrderFields(source_name="2329312"), True),
        (ShopifyOrderFields(source_name="facebook"), True),
        (ShopifyOrderFields(custom_attributes=(("Facebook Order ID", META_ID),)), True),
        (ShopifyOrderFields(source_name="web"), False),
        (ShopifyOrderFields(source_name="3890849"), False),  # the Shop app, not Meta
    ],
)
def test_meta_channel_orders_are_recognised(order, expected):
    assert looks_like_meta_channel_order(order, channel_handles=("facebook", "instagram")) is expected


# Issue 11, item 2: Meta ids of any length are matched (the matcher once stopped at 20 digits).
@pytest.mark.parametrize("meta_id", ["1", "123456789", "896997838783630", "1" * 20, "123456789012345678901", "9" * 32, "7" * 64])
def test_structured_fields_match_an_id_of_any_length(meta_id):
    assert match(ShopifyOrderFields(source_identifier=f"{meta_id},6790791201038369")) == (meta_id, SOURCE_IDENTIFIER)
    assert match(ShopifyOrderFields(custom_attributes=(("Facebook Order ID", meta_id),))) == (meta_id, FACEBOOK_ORDER_ID_ATTRIBUTE)


@pytest.mark.parametrize("meta_id", ["123456789012345678901", "4" * 30, "7" * 64])
def test_free_text_fields_match_a_known_long_id(meta_id):
    assert match(ShopifyOrderFields(tags=(f"fb-{meta_id}",)), known_meta_ids={meta_id}) == (meta_id, TAGS)
    assert match(ShopifyOrderFields(note=f"Facebook order {meta_id} re-created"), known_meta_ids={meta_id}) == (meta_id, NOTE)


@pytest.mark.parametrize(
    "order",
    [
        ShopifyOrderFields(source_identifier="1" * 65),  # longer than any column holds: not an id
        ShopifyOrderFields(source_identifier="12a45,1"),
        ShopifyOrderFields(note="order " + "1" * 70),
    ],
)
def test_what_cannot_be_an_id_is_not_matched(order):
    assert match(order, known_meta_ids={"1" * 70}) is None


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        # The channel's note attribute (the one real payload: "Instagram"), in any case, wins.
        (ShopifyOrderFields(custom_attributes=(("Channel", "Instagram"),), channel_names=("Facebook Shop",)), "instagram"),
        (ShopifyOrderFields(custom_attributes=(("channel", "FACEBOOK"),)), "facebook"),
        # Shopify's attribution / channel definition names: the first that names one surface.
        (ShopifyOrderFields(channel_names=("Facebook & Instagram", "Instagram Shopping")), "instagram"),
        (ShopifyOrderFields(channel_names=("Facebook Marketplace",)), "facebook"),
        (ShopifyOrderFields(custom_attributes=(("Channel", "Facebook & Instagram"),)), None),  # names both
        (ShopifyOrderFields(custom_attributes=(("Facebook Order ID", "2904417823351201"),)), None),
        (ShopifyOrderFields(source_name="web", channel_names=("Online Store",)), None),
    ],
)
def test_the_social_channel_is_read_from_what_the_order_says(order, expected):
    assert social_channel(order) == expected
