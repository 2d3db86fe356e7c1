"""The merchant's replacement for a Meta item that matched no Shopify variant (item_mapping.py): parse the
picks, check them against the order's unmapped items and the store's variants, apply them, and search the
store's variants for the picker.

A pick is `{meta item id: variant GID}`. It is checked when the merchant reviews and starts (a pick for an
item that is not unmapped, or of a variant Shopify does not have, is a form error), stored in the action's
params (`replacements`) and applied again by the worker, which re-reads the variants: a picked variant
deleted meanwhile stops the action before the cancel (`replacements_apply` names it as vanished), and after
the cancel is left out like any unmapped item, so the buyer still gets a link with the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from orderguard.core.exceptions import ApplicationError
from orderguard.integrations.shopify.draft_types import ProductVariant, variant_gid
from orderguard.integrations.shopify.errors import ShopifyError
from orderguard.orders.models import SocialOrder
from orderguard.remediation.item_mapping import ItemMapping, UnmappedItem, UnmappedReason, VariantLookups
from orderguard.shops.clients import shopify_admin_client
from orderguard.shops.exceptions import ShopUnavailable
from orderguard.shops.models import Shop

VARIANT_GID = re.compile(r"^gid://shopify/ProductVariant/(\d+)$")


class ItemNotInOrder(ApplicationError):
    """The search named an item the order does not have."""


def variant_id_of(value: str) -> str | None:
    """A variant GID from what a form or an operator gives: the GID itself or the numeric id."""
    text = str(value).strip()
    if text.isascii() and text.isdigit():
        return variant_gid(text)
    return text if VARIANT_GID.match(text) else None


@dataclass(frozen=True)
class ItemChoices:
    """What the merchant decided for the items: left out, or replaced by a variant (GID, or text that is
    not one: refused by the check)."""

    dropped: tuple[str, ...] = ()
    replacements: tuple[tuple[str, str], ...] = ()  # (meta item id, variant GID)

    @property
    def replaced(self) -> dict[str, str]:
        return dict(self.replacements)


@dataclass(frozen=True)
class CheckedChoices:
    mapping: ItemMapping  # the ladder's mapping with the valid picks applied
    dropped: tuple[str, ...]
    chosen: dict[str, ProductVariant]  # meta item id -> the picked variant, as Shopify has it now
    errors: dict[str, str] = field(default_factory=dict)  # meta item id ("" for the whole) -> message
    undecided: tuple[UnmappedItem, ...] = ()

    @property
    def link_items(self) -> list:
        return [item for item in self.mapping.mapped if item.meta_item_id not in self.dropped]


def item_label(item) -> str:
    return item.product_name or item.retailer_id or item.meta_item_id


def choices_check(*, mapping: ItemMapping, choices: ItemChoices, variants_by_id: Mapping[str, ProductVariant]) -> CheckedChoices:
    """Pure: every unmapped item left out or replaced (not both), picks only for unmapped items and of
    variants that exist, and something left for the link."""
    unmapped = {item.meta_item_id: item for item in mapping.unmapped}
    mapped = {item.meta_item_id: item for item in mapping.mapped}
    dropped = tuple(dict.fromkeys(choices.dropped))
    errors: dict[str, str] = {}
    chosen: dict[str, ProductVariant] = {}
    for item_id, value in choices.replacements:
        gid = variant_id_of(value)
        if item_id in mapped:
            errors[item_id] = _("%(item)s already matches %(variant)s in your store: it needs no replacement.") % {
                "item": item_label(mapped[item_id]), "variant": mapped[item_id].variant.display_name}
        elif item_id not in unmapped:
            errors[item_id] = _("The order has no item %(id)s that matches no product.") % {"id": item_id}
        elif gid is None or gid not in variants_by_id:
            errors[item_id] = _("The variant picked for %(item)s is not in your store (any more): pick another.") % {"item": item_label(unmapped[item_id])}
        elif item_id in dropped:
            errors[item_id] = _("Either leave %(item)s out or pick a replacement for it, not both.") % {"item": item_label(unmapped[item_id])}
        else:
            chosen[item_id] = variants_by_id[gid]
    undecided = tuple(item for item in mapping.unmapped if item.meta_item_id not in dropped and item.meta_item_id not in dict(choices.replacements))
    for item in undecided:
        errors[item.meta_item_id] = _("Pick a replacement for %(item)s, or leave it out.") % {"item": item_label(item)}
    checked = CheckedChoices(mapping=mapping.with_replacements(chosen), dropped=dropped, chosen=chosen, errors=errors, undecided=undecided)
    if not errors and not checked.link_items:
        errors[""] = _("Nothing is left for the store link: pick a replacement for an item, or contact the buyer yourself.")
    return checked


def choices_check_with_client(*, mapping: ItemMapping, choices: ItemChoices, client: VariantLookups) -> CheckedChoices:
    """The check, with the picked variants read from Shopify (one query). ShopifyError is the caller's."""
    ids = [gid for _item, value in choices.replacements if (gid := variant_id_of(value))]
    variants = client.product_variants_by_ids(ids) if ids else {}
    return choices_check(mapping=mapping, choices=choices, variants_by_id=variants)


@dataclass(frozen=True)
class AppliedReplacements:
    mapping: ItemMapping
    vanished: tuple[UnmappedItem, ...]  # picked, but the variant is gone


def replacements_apply(*, mapping: ItemMapping, replacements: Mapping[str, str], variants_by_id: Mapping[str, ProductVariant]) -> AppliedReplacements:
    """Pure, for the worker: the stored picks applied to a fresh mapping. A pick whose variant vanished
    leaves its item unmapped (REPLACEMENT_NOT_FOUND), or as the ladder maps it now."""
    found = {item_id: variants_by_id[gid] for item_id, gid in replacements.items() if gid in variants_by_id}
    gone = {item_id for item_id in replacements if item_id not in found}
    applied = mapping.with_replacements(found)
    vanished = tuple(
        UnmappedItem(item.meta_item_id, item.retailer_id, item.product_name, item.quantity, UnmappedReason.REPLACEMENT_NOT_FOUND)
        for item in applied.unmapped if item.meta_item_id in gone
    )
    unmapped = tuple(item for item in applied.unmapped if item.meta_item_id not in gone) + vanished
    return AppliedReplacements(mapping=ItemMapping(mapped=applied.mapped, unmapped=unmapped), vanished=vanished)


def replacements_apply_with_client(*, mapping: ItemMapping, replacements: Mapping[str, str], client: VariantLookups) -> AppliedReplacements:
    variants = client.product_variants_by_ids(replacements.values()) if replacements else {}
    return replacements_apply(mapping=mapping, replacements=replacements, variants_by_id=variants)


def replacements_from_pairs(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(item id, variant id or GID) pairs as given, the last pick per item kept; ValueError for a value
    that is no variant id."""
    picks: dict[str, str] = {}
    for item_id, value in pairs:
        gid = variant_id_of(value)
        if not item_id.strip() or gid is None:
            raise ValueError(_("A replacement is ITEM_ID=VARIANT_ID (a number or gid://shopify/ProductVariant/…), not %(value)r.") % {"value": f"{item_id}={value}"})
        picks[item_id.strip()] = gid
    return tuple(picks.items())


# The picker's search
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantSearch:
    item_id: str
    item_name: str
    quantity: int
    text: str
    variants: tuple[ProductVariant, ...] = ()
    chosen: ProductVariant | None = None  # the pick so far, kept at the top while the merchant searches on
    error: str = ""

    @property
    def searched(self) -> bool:
        return bool(self.text.strip())


def replacement_search(*, shop: Shop, order: SocialOrder, item_id: str, text: str, chosen_id: str = "") -> VariantSearch:
    """The store's variants matching the merchant's text, for one item of the order (ItemNotInOrder
    otherwise). Shopify failing is a message, not an exception."""
    item = next((row for row in order.items or () if str(row.get("id", "")) == item_id), None)
    if item is None:
        raise ItemNotInOrder(_("This order has no such item."), code="no_such_item")
    search = VariantSearch(item_id=item_id, item_name=str(item.get("product_name") or item.get("retailer_id") or item_id),
                           quantity=int(item.get("quantity") or 0), text=text.strip())
    chosen_gid = variant_id_of(chosen_id) if chosen_id else None
    if not search.searched and chosen_gid is None:
        return search
    try:
        client = shopify_admin_client(shop=shop)
        chosen = client.product_variants_by_ids([chosen_gid]).get(chosen_gid) if chosen_gid else None
        variants = client.product_variants_search(search.text) if search.searched else ()
    except (ShopifyError, ShopUnavailable):
        return replace(search, error=_("Shopify did not answer the search; try again in a moment."))
    others = tuple(variant for variant in variants if chosen is None or variant.id != chosen.id)
    return replace(search, variants=others, chosen=chosen)
