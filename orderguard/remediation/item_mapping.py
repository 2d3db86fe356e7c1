"""Which Shopify variant is each Meta line item? Meta gives `retailer_id` (the id in the merchant's
catalog); what it holds for catalogs synced by Shopify's channel is not documented
(research/platform-facts.md §A2), so a ladder is tried, in order, and the rung that matched is recorded:

1. a numeric `retailer_id` is a Shopify variant id (most likely for Shopify-synced catalogs);
2. `shopify_<CC>_<product id>_<variant id>` (Google Merchant Center's offer id) names the variant;
3. otherwise, or when neither found a variant, `retailer_id` is a SKU: exactly one variant must have it.

A variant that no longer exists does not match, so the item is unmapped and named, for the merchant to
pick a replacement or drop it. `map_items` is pure over lookup results; `map_items_with_client` asks Shopify.
The merchant's picks are applied by `ItemMapping.with_replacements` (remediation/replacements.py checks them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from orderguard.integrations.meta.types import MetaOrderItem
from orderguard.integrations.shopify.draft_types import ProductVariant, variant_gid

OFFER_ID = re.compile(r"^shopify_[A-Za-z]{2}_(\d+)_(\d+)$")


class MatchedBy(StrEnum):
    VARIANT_ID = "variant_id"
    OFFER_ID = "offer_id"  # shopify_<CC>_<product>_<variant>
    SKU = "sku"
    MERCHANT = "merchant"  # the merchant picked the variant for an item that matched nothing


class UnmappedReason(StrEnum):
    NOT_FOUND = "not_found"  # no variant by id or SKU (a deleted variant ends here)
    AMBIGUOUS_SKU = "ambiguous_sku"  # several variants share the SKU
    NO_RETAILER_ID = "no_retailer_id"
    REPLACEMENT_NOT_FOUND = "replacement_not_found"  # the variant the merchant picked was deleted meanwhile


@dataclass(frozen=True)
class MappedItem:
    meta_item_id: str
    retailer_id: str
    quantity: int
    variant: ProductVariant
    matched_by: MatchedBy
    product_name: str = ""  # Meta's name of the item (a merchant's pick "replaces" it)


@dataclass(frozen=True)
class UnmappedItem:
    meta_item_id: str
    retailer_id: str
    product_name: str
    quantity: int
    reason: UnmappedReason


@dataclass(frozen=True)
class ItemMapping:
    mapped: tuple[MappedItem, ...]
    unmapped: tuple[UnmappedItem, ...]

    @property
    def complete(self) -> bool:
        return not self.unmapped

    def with_replacements(self, replacements: Mapping[str, ProductVariant]) -> ItemMapping:
        """The merchant's picks applied: each chosen item (by Meta item id) maps to its variant, matched by
        the merchant, with Meta's quantity. A pick for an item that maps anyway wins: the merchant saw and
        confirmed it (the form only offers picks for unmapped items)."""
        if not replacements:
            return self
        kept = [item for item in self.mapped if item.meta_item_id not in replacements]
        picked = [
            MappedItem(item.meta_item_id, item.retailer_id, item.quantity, replacements[item.meta_item_id], MatchedBy.MERCHANT,
                       product_name=item.product_name)
            for item in (*self.mapped, *self.unmapped) if item.meta_item_id in replacements
        ]
        unmapped = tuple(item for item in self.unmapped if item.meta_item_id not in replacements)
        return ItemMapping(mapped=(*kept, *picked), unmapped=unmapped)


def variant_id_candidate(retailer_id: str) -> tuple[str, MatchedBy] | None:
    """The variant GID a retailer_id names (rungs 1 and 2), or None when it can only be a SKU."""
    value = retailer_id.strip()
    if value.isdigit():
        return variant_gid(value), MatchedBy.VARIANT_ID
    offer = OFFER_ID.match(value)
    if offer:
        return variant_gid(offer.group(2)), MatchedBy.OFFER_ID
    return None


def variant_ids_to_look_up(items: Iterable[MetaOrderItem]) -> list[str]:
    return list(dict.fromkeys(candidate[0] for item in items if (candidate := variant_id_candidate(item.retailer_id))))


def skus_to_look_up(items: Iterable[MetaOrderItem], variants_by_id: Mapping[str, ProductVariant]) -> list[str]:
    """The retailer ids still unresolved after the id lookup: they are tried as SKUs."""
    skus = []
    for item in items:
        candidate = variant_id_candidate(item.retailer_id)
        if item.retailer_id.strip() and (candidate is None or candidate[0] not in variants_by_id):
            skus.append(item.retailer_id.strip())
    return list(dict.fromkeys(skus))


def map_items(
    items: Sequence[MetaOrderItem],
    *,
    variants_by_id: Mapping[str, ProductVariant],
    variants_by_sku: Mapping[str, Sequence[ProductVariant]],
) -> ItemMapping:
    """Map each item from lookup results: variants found by GID, and variants whose SKU is exactly the key."""
    mapped, unmapped = [], []
    for item in items:
        retailer_id = item.retailer_id.strip()
        if not retailer_id:
            unmapped.append(_unmapped(item, UnmappedReason.NO_RETAILER_ID))
            continue
        candidate = variant_id_candidate(retailer_id)
        if candidate is not None and candidate[0] in variants_by_id:
            mapped.append(MappedItem(item.id, item.retailer_id, item.quantity, variants_by_id[candidate[0]], candidate[1], item.product_name))
            continue
        by_sku = [variant for variant in variants_by_sku.get(retailer_id, ()) if variant.sku == retailer_id]
        if len(by_sku) == 1:
            mapped.append(MappedItem(item.id, item.retailer_id, item.quantity, by_sku[0], MatchedBy.SKU, item.product_name))
        else:
            unmapped.append(_unmapped(item, UnmappedReason.AMBIGUOUS_SKU if by_sku else UnmappedReason.NOT_FOUND))
    return ItemMapping(mapped=tuple(mapped), unmapped=tuple(unmapped))


class VariantLookups(Protocol):
    def product_variants_by_ids(self, variant_ids: Iterable[str]) -> dict[str, ProductVariant]: ...

    def product_variants_by_sku(self, sku: str) -> tuple[ProductVariant, ...]: ...


def map_items_with_client(items: Sequence[MetaOrderItem], *, client: VariantLookups) -> ItemMapping:
    """Look the items up on Shopify (one id query, then one query per SKU still unresolved) and map them."""
    ids = variant_ids_to_look_up(items)
    variants_by_id = client.product_variants_by_ids(ids) if ids else {}
    variants_by_sku = {sku: client.product_variants_by_sku(sku) for sku in skus_to_look_up(items, variants_by_id)}
    return map_items(items, variants_by_id=variants_by_id, variants_by_sku=variants_by_sku)


def _unmapped(item: MetaOrderItem, reason: UnmappedReason) -> UnmappedItem:
    return UnmappedItem(item.id, item.retailer_id, item.product_name, item.quantity, reason)
