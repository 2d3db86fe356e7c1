"""Where a Shopify order keeps the Meta order id, and which Meta order a Shopify order is. Pure.

Shopify does not document it (research/fb-orders-in-shopify.md). The Facebook & Instagram channel was
seen to write the Meta id as the first part of `sourceIdentifier` ("<meta id>,<second id>") and as the
custom attribute "Facebook Order ID"; tags and the note are tried last, and there only an id OrderGuard
already knows from Meta counts (a long number in a note proves nothing by itself). The matcher tries the
fields in the configured order and says which one matched. Ids are compared as strings, never numbers,
and their length is not assumed (Meta's ids have grown before): a structured field holds any run of digits
up to MAX_ID_LENGTH, a free-text field any run of ten or more (shorter numbers there are quantities,
phone extensions, house numbers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SOURCE_IDENTIFIER = "source_identifier"
FACEBOOK_ORDER_ID_ATTRIBUTE = "attribute:Facebook Order ID"
TAGS = "tags"
NOTE = "note"

DEFAULT_MATCH_FIELDS: tuple[str, ...] = (SOURCE_IDENTIFIER, FACEBOOK_ORDER_ID_ATTRIBUTE, TAGS, NOTE)
# The Facebook & Instagram channel's app id: the sourceName of the orders it imports.
META_CHANNEL_SOURCE_NAME = "2329312"

# What SocialOrder.meta_order_id and ShopifySocialOrder.meta_order_id can hold.
MAX_ID_LENGTH = 64
_STRUCTURED_ID = re.compile(rf"\d{{1,{MAX_ID_LENGTH}}}")
_FREE_TEXT_ID = re.compile(rf"(?<!\d)(\d{{10,{MAX_ID_LENGTH}}})(?!\d)")


@dataclass(frozen=True)
class ShopifyOrderFields:
    """The parts of a Shopify order (GraphQL or webhook) that may carry a Meta order id."""

    source_name: str = ""
    source_identifier: str = ""
    custom_attributes: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    note: str = ""
    # The selling surface's names from Shopify's attribution / channel definition (GraphQL only).
    channel_names: tuple[str, ...] = ()


def candidate_ids(order: ShopifyOrderFields, *, fields: Sequence[str] = DEFAULT_MATCH_FIELDS) -> list[tuple[str, str]]:
    """(meta_order_id, field) pairs in the configured order of fields, without duplicates."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for field in fields:
        for meta_id in _ids_in(order, field):
            if meta_id not in seen:
                seen.add(meta_id)
                found.append((meta_id, field))
    return found


def match(order: ShopifyOrderFields, *, known_meta_ids: Iterable[str] | None = None, fields: Sequence[str] = DEFAULT_MATCH_FIELDS) -> tuple[str, str] | None:
    """The Meta order this Shopify order is, as (meta_order_id, field), or None.

    Structured fields (sourceIdentifier, the attribute) name an id outright. Free-text fields (tags, note)
    only match an id in `known_meta_ids`.
    """
    known = set(known_meta_ids) if known_meta_ids is not None else None
    for meta_id, field in candidate_ids(order, fields=fields):
        if field in (TAGS, NOTE) and (known is None or meta_id not in known):
            continue
        return meta_id, field
    return None


def looks_like_meta_channel_order(order: ShopifyOrderFields, *, channel_handles: Iterable[str] = ()) -> bool:
    """Cheap pre-filter for webhooks: is this Shopify order plausibly from the Facebook & Instagram channel?"""
    if order.source_name == META_CHANNEL_SOURCE_NAME or order.source_name in set(channel_handles):
        return True
    return any(key == "Facebook Order ID" for key, _ in order.custom_attributes)


FACEBOOK = "facebook"
INSTAGRAM = "instagram"
SOCIAL_CHANNELS = (FACEBOOK, INSTAGRAM)
CHANNEL_ATTRIBUTE = "Channel"


def social_channel(order: ShopifyOrderFields) -> str | None:
    """Facebook or Instagram, from what the Shopify order says; None when it does not say.

    The channel writes the surface as the custom attribute "Channel" ("Instagram" in the one real payload
    seen, research/fb-orders-in-shopify.md), which webhooks carry too; then the attribution and channel
    definition names (Shopify's examples: "Instagram Shopping", "Facebook Marketplace"). A name that
    mentions both ("Facebook & Instagram", the channel itself) tells nothing and is passed over.
    """
    hints = [value for key, value in order.custom_attributes if key.strip().lower() == CHANNEL_ATTRIBUTE.lower()]
    for hint in (*hints, *order.channel_names):
        named = [channel for channel in SOCIAL_CHANNELS if channel in hint.lower()]
        if len(named) == 1:
            return named[0]
    return None


def _ids_in(order: ShopifyOrderFields, field: str) -> list[str]:
    if field == SOURCE_IDENTIFIER:
        first = order.source_identifier.split(",", 1)[0].strip()
        return [first] if _STRUCTURED_ID.fullmatch(first) else []
    if field.startswith("attribute:"):
        key = field.removeprefix("attribute:")
        return [value.strip() for name, value in order.custom_attributes if name == key and _STRUCTURED_ID.fullmatch(value.strip())]
    if field == TAGS:
        return [m for tag in order.tags for m in _FREE_TEXT_ID.findall(tag)]
    if field == NOTE:
        return _FREE_TEXT_ID.findall(order.note or "")
    raise ValueError(f"Unknown match field {field!r}")
