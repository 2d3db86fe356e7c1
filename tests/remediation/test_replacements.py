"""The merchant's replacements for items that matched no variant: applying them, refusing picks that do
not fit the order or the store, the worker's view of a pick deleted meanwhile, and the search text kept
as one term of Shopify's search syntax."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderguard.integrations.meta.types import MetaOrderItem
from orderguard.integrations.shopify.draft_types import ProductVariant, variant_gid
from orderguard.integrations.shopify.drafts import search_phrase
from orderguard.remediation.item_mapping import MatchedBy, UnmappedReason, map_items
from orderguard.remediation.replacements import (
    ItemChoices,
    choices_check,
    replacements_apply,
    replacements_from_pairs,
    variant_id_of,
)
from orderguard.sandbox.shopify.drafts import variant_search_terms


def _item(item_id: str, retailer_id: str, name: str, quantity: int = 1) -> MetaOrderItem:
    return MetaOrderItem.from_api({"id": item_id, "retailer_id": retailer_id, "product_name": name, "quantity": quantity})


def _variant(numeric_id: int, sku: str, title: str = "Default Title", product: str = "Ridge 2-Person Tent") -> ProductVariant:
    return ProductVariant(id=variant_gid(numeric_id), legacy_resource_id=str(numeric_id), sku=sku, title=title, price=Decimal("19.00"),
                          available_for_sale=True, inventory_quantity=3, product_id="gid://shopify/Product/1",
                          product_title=product, product_status="ACTIVE")


TENT, STAKES_NEW = _variant(1, "FH-TNT-2P"), _variant(2, "FH-STK-AL2", product="Aluminum Tent Stakes (new)")
ITEMS = [_item("m1", "FH-TNT-2P", "Ridge 2-Person Tent"), _item("m2", "FH-STK-AL", "Aluminum Tent Stakes", quantity=3)]
MAPPING = map_items(ITEMS, variants_by_id={}, variants_by_sku={"FH-TNT-2P": [TENT]})
KNOWN = {STAKES_NEW.id: STAKES_NEW}


def test_a_pick_maps_the_unmapped_item_with_its_quantity_and_the_merchant_as_matcher():
    checked = choices_check(mapping=MAPPING, choices=ItemChoices(replacements=(("m2", STAKES_NEW.id),)), variants_by_id=KNOWN)
    assert checked.errors == {} and checked.mapping.unmapped == ()
    picked = [item for item in checked.mapping.mapped if item.meta_item_id == "m2"][0]
    assert (picked.variant, picked.quantity, picked.matched_by, picked.product_name) == (STAKES_NEW, 3, MatchedBy.MERCHANT, "Aluminum Tent Stakes")
    assert [item.meta_item_id for item in checked.link_items] == ["m1", "m2"]


def test_a_numeric_variant_id_is_taken_as_its_gid():
    checked = choices_check(mapping=MAPPING, choices=ItemChoices(replacements=(("m2", "2"),)), variants_by_id=KNOWN)
    assert checked.errors == {} and checked.chosen == {"m2": STAKES_NEW}
    assert variant_id_of(" 2 ") == STAKES_NEW.id and variant_id_of("gid://shopify/Product/2") is None and variant_id_of("2; DROP") is None


@pytest.mark.parametrize(("choices", "item", "words"), [
    (ItemChoices(replacements=(("m1", STAKES_NEW.id),), dropped=("m2",)), "m1", "needs no replacement"),
    (ItemChoices(replacements=(("m9", STAKES_NEW.id),), dropped=("m2",)), "m9", "no item m9"),
    (ItemChoices(replacements=(("m2", variant_gid(404)),)), "m2", "not in your store"),
    (ItemChoices(replacements=(("m2", "not-a-variant"),)), "m2", "not in your store"),
    (ItemChoices(replacements=(("m2", STAKES_NEW.id),), dropped=("m2",)), "m2", "not both"),
    (ItemChoices(), "m2", "Pick a replacement for Aluminum Tent Stakes, or leave it out"),
])
def test_picks_that_do_not_fit_are_refused_by_item(choices, item, words):
    checked = choices_check(mapping=MAPPING, choices=choices, variants_by_id=KNOWN)
    assert words in checked.errors[item]


def test_an_undecided_unmapped_item_is_named_and_dropping_it_decides():
    undecided = choices_check(mapping=MAPPING, choices=ItemChoices(), variants_by_id={})
    assert [item.meta_item_id for item in undecided.undecided] == ["m2"]
    dropped = choices_check(mapping=MAPPING, choices=ItemChoices(dropped=("m2",)), variants_by_id={})
    assert dropped.errors == {} and [item.meta_item_id for item in dropped.link_items] == ["m1"]


def test_nothing_left_for_the_link_is_an_error_of_the_whole():
    nothing = map_items(ITEMS[1:], variants_by_id={}, variants_by_sku={})
    checked = choices_check(mapping=nothing, choices=ItemChoices(dropped=("m2",)), variants_by_id={})
    assert "Nothing is left" in checked.errors[""]


def test_the_worker_applies_stored_picks_and_names_a_vanished_one():
    applied = replacements_apply(mapping=MAPPING, replacements={"m2": STAKES_NEW.id}, variants_by_id=KNOWN)
    assert applied.vanished == () and applied.mapping.mapped[-1].matched_by == MatchedBy.MERCHANT
    gone = replacements_apply(mapping=MAPPING, replacements={"m2": STAKES_NEW.id}, variants_by_id={})
    assert [(item.meta_item_id, item.reason) for item in gone.vanished] == [("m2", UnmappedReason.REPLACEMENT_NOT_FOUND)]
    assert [item.meta_item_id for item in gone.mapping.unmapped] == ["m2"] and len(gone.mapping.mapped) == 1


def test_operator_pairs_are_parsed_and_a_bad_one_is_a_value_error():
    assert replacements_from_pairs([("m2", "2"), ("m2", "gid://shopify/ProductVariant/3")]) == (("m2", variant_gid(3)),)
    with pytest.raises(ValueError, match="ITEM_ID=VARIANT_ID"):
        replacements_from_pairs([("m2", "tent")])
    with pytest.raises(ValueError):
        replacements_from_pairs([("", "2")])


@pytest.mark.parametrize("text", ['a" OR sku:* \\', "tent) OR (sku:*", "  Ridge\t tent\n", 'x\\" -title:y', "'quoted' AND NOT sku:FH"])
def test_the_search_text_stays_one_quoted_term(text):
    phrase = search_phrase(text)
    assert phrase.startswith('"') and phrase.endswith('"')
    terms = variant_search_terms(phrase)  # the sandbox's reading of Shopify's grammar
    assert terms == [("", " ".join(text.split()))]


def test_blank_search_text_is_no_query():
    assert search_phrase("  \n\t ") == ""
