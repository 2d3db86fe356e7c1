"""Meta line items -> Shopify variants: the ladder, what matched, unmapped and deleted variants."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderguard.integrations.meta.types import MetaOrderItem
from orderguard.integrations.shopify.draft_types import ProductVariant, variant_gid
from orderguard.remediation.item_mapping import (
    MatchedBy,
    UnmappedReason,
    map_items,
    skus_to_look_up,
    variant_id_candidate,
    variant_ids_to_look_up,
)


def _item(retailer_id: str, item_id: str = "1", quantity: int = 1, name: str = "Linen shirt") -> MetaOrderItem:
    return MetaOrderItem.from_api({"id": item_id, "retailer_id": retailer_id, "product_name": name, "quantity": quantity})


def _variant(numeric_id: int, sku: str = "") -> ProductVariant:
    return ProductVariant(id=variant_gid(numeric_id), legacy_resource_id=str(numeric_id), sku=sku, title="M", price=Decimal("49"),
                          available_for_sale=True, inventory_quantity=3, product_id="gid://shopify/Product/1",
                          product_title="Linen shirt", product_status="ACTIVE")


@pytest.mark.parametrize(
    ("retailer_id", "expected"),
    [
        ("43794354536482", (variant_gid(43794354536482), MatchedBy.VARIANT_ID)),
        (" 43794354536482 ", (variant_gid(43794354536482), MatchedBy.VARIANT_ID)),
        ("shopify_US_7956823048226_43794354536482", (variant_gid(43794354536482), MatchedBy.OFFER_ID)),
        ("shopify_nl_1_2", (variant_gid(2), MatchedBy.OFFER_ID)),
        ("shopify_USA_1_2", None),
        ("LIN-M-SAND", None),
        ("", None),
    ],
)
def test_variant_id_candidate(retailer_id, expected):
    assert variant_id_candidate(retailer_id) == expected


def test_each_rung_of_the_ladder_and_what_matched():
    items = [_item("111", "a"), _item("shopify_DE_9_222", "b"), _item("SKU-3", "c", quantity=2)]
    mapping = map_items(items, variants_by_id={variant_gid(111): _variant(111), variant_gid(222): _variant(222)},
                        variants_by_sku={"SKU-3": [_variant(333, "SKU-3")]})
    assert [(m.meta_item_id, m.variant.legacy_resource_id, m.matched_by, m.quantity) for m in mapping.mapped] == [
        ("a", "111", MatchedBy.VARIANT_ID, 1), ("b", "222", MatchedBy.OFFER_ID, 1), ("c", "333", MatchedBy.SKU, 2)]
    assert mapping.complete


def test_a_deleted_variant_is_unmapped_and_named():
    mapping = map_items([_item("111", "a", name="Linen shirt M")], variants_by_id={}, variants_by_sku={"111": []})
    assert mapping.mapped == () and not mapping.complete
    (unmapped,) = mapping.unmapped
    assert (unmapped.meta_item_id, unmapped.retailer_id, unmapped.product_name, unmapped.reason) == (
        "a", "111", "Linen shirt M", UnmappedReason.NOT_FOUND)


def test_a_numeric_sku_is_found_when_no_variant_has_that_id():
    mapping = map_items([_item("12345")], variants_by_id={}, variants_by_sku={"12345": [_variant(9, "12345")]})
    assert mapping.mapped[0].matched_by == MatchedBy.SKU


def test_sku_matches_must_be_exact_and_single():
    items = [_item("ABC", "a"), _item("DUP", "b"), _item("", "c")]
    mapping = map_items(items, variants_by_id={},
                        variants_by_sku={"ABC": [_variant(1, "abc")], "DUP": [_variant(2, "DUP"), _variant(3, "DUP")]})
    assert [(u.meta_item_id, u.reason) for u in mapping.unmapped] == [
        ("a", UnmappedReason.NOT_FOUND), ("b", UnmappedReason.AMBIGUOUS_SKU), ("c", UnmappedReason.NO_RETAILER_ID)]


def test_lookups_ask_for_ids_first_then_only_the_unresolved_as_skus():
    items = [_item("111"), _item("111"), _item("shopify_US_1_222"), _item("SKU-3")]
    assert variant_ids_to_look_up(items) == [variant_gid(111), variant_gid(222)]
    assert skus_to_look_up(items, {variant_gid(111): _variant(111)}) == ["shopify_US_1_222", "SKU-3"]
