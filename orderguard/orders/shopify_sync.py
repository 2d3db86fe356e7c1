"""Reading the shop's Facebook & Instagram orders from Shopify and storing where each keeps its Meta id.

Two ways in: the poll queries Shopify's orders of the channel changed since the last look (typed pages from
the Admin client), and the orders/create and orders/updated webhooks hand over one order at once. Both end
in shopify_orders_store, which upserts ShopifySocialOrder rows in bulk. This module only maps the
integration's types to the matcher's input and to rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from orderguard.integrations.shopify.client import ShopifyAdminClient
from orderguard.integrations.shopify.types import ChannelDefinition, ShopifyOrder
from orderguard.orders.models import PollState, ShopifySocialOrder, SocialOrder
from orderguard.orders.schedule import ORDER_WINDOW, OVERLAP
from orderguard.reconciliation import matching
from orderguard.shops.models import Shop

MAX_PAGES = 50  # 5,000 orders: far more than a shop's social orders in the window
# The ShopifySocialOrder fields a store may change.
STORED_FIELDS = (
    "name", "meta_order_id", "matched_field", "source_name", "shopify_created_at", "shopify_updated_at",
    "cancelled_at", "financial_status", "fulfillment_status", "social_channel",
)


@dataclass(frozen=True)
class ShopifyOrderRecord:
    """A Shopify order as OrderGuard stores it: the order, and the parts of it the matcher reads."""

    order: ShopifyOrder
    fields: matching.ShopifyOrderFields

    @property
    def shopify_order_id(self) -> str:
        return self.order.id

    @property
    def name(self) -> str:
        return self.order.name

    @classmethod
    def from_order(cls, order: ShopifyOrder) -> ShopifyOrderRecord:
        return cls(order=order, fields=matching.ShopifyOrderFields(
            source_name=order.source_name,
            source_identifier=order.source_identifier,
            custom_attributes=order.custom_attributes,
            tags=order.tags,
            note=order.note,
            channel_names=order.channel_names,
        ))

    @classmethod
    def from_webhook(cls, payload: dict) -> ShopifyOrderRecord:
        """From an orders/create or orders/updated payload."""
        return cls.from_order(ShopifyOrder.from_webhook(payload))


def match_fields() -> tuple[str, ...]:
    return tuple(settings.ORDER_MATCH_FIELDS)


def shopify_channels_refresh(*, client: ShopifyAdminClient, state: PollState, now: datetime) -> None:
    """Learn the handles of the Facebook & Instagram channel's definitions, to scope order queries."""
    handles = {definition.handle for definition in client.installed_channel_definitions() if _is_meta_channel(definition)}
    state.channel_handles = sorted(handles)
    state.channel_installed = bool(handles)
    state.channels_checked_at = now


def shopify_social_orders_sync(*, shop: Shop, client: ShopifyAdminClient, state: PollState, now: datetime) -> int:
    """Fetch the channel's orders changed since the last look and store them. Returns how many were seen."""
    since = state.shopify_cursor - OVERLAP if state.shopify_cursor else now - ORDER_WINDOW
    scope = f"channel:{','.join(state.channel_handles)}" if state.channel_handles else f"source_name:{matching.META_CHANNEL_SOURCE_NAME}"
    query = f"updated_at:>='{since:%Y-%m-%dT%H:%M:%SZ}' {scope}"
    records: list[ShopifyOrderRecord] = []
    after = None
    for _ in range(MAX_PAGES):
        page = client.social_orders(query=query, after=after)
        records.extend(ShopifyOrderRecord.from_order(order) for order in page.orders)
        if not page.has_next_page:
            break
        after = page.end_cursor
    shopify_orders_store(shop=shop, records=records)
    state.shopify_cursor = now
    state.shopify_checked_at = now
    return len(records)


def shopify_orders_store(*, shop: Shop, records: Sequence[ShopifyOrderRecord]) -> list[ShopifySocialOrder]:
    """Upsert Shopify orders with the Meta id each one names (if any). Bulk: constant queries."""
    if not records:
        return []
    fields = match_fields()
    known = _known_free_text_ids(shop=shop, records=records, fields=fields)
    existing = {row.shopify_order_id: row for row in ShopifySocialOrder.objects.filter(shop=shop, shopify_order_id__in=[r.shopify_order_id for r in records])}
    created, updated = [], []
    for record in {r.shopify_order_id: r for r in records}.values():
        values = _row_values(record, matching.match(record.fields, known_meta_ids=known, fields=fields))
        row = existing.get(record.shopify_order_id)
        if row is not None and values["social_channel"] is None:
            # A payload that does not say (an orders/updated without the attribute) keeps what was known.
            values["social_channel"] = row.social_channel
        if row is None:
            created.append(ShopifySocialOrder(shop=shop, shopify_order_id=record.shopify_order_id, **values))
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            updated.append(row)
    if created:
        ShopifySocialOrder.objects.bulk_create(created, ignore_conflicts=True)
    if updated:
        ShopifySocialOrder.objects.bulk_update(updated, list(STORED_FIELDS))
    return created + updated


def _is_meta_channel(definition: ChannelDefinition) -> bool:
    names = f"{definition.channel_name} {definition.definition_name}".lower()
    return "facebook" in names or "instagram" in names


def _known_free_text_ids(*, shop: Shop, records: Sequence[ShopifyOrderRecord], fields: Sequence[str]) -> set[str]:
    """The ids in tags and notes that name a Meta order OrderGuard knows: only those may match there."""
    free_text = {meta_id for r in records for meta_id, field in matching.candidate_ids(r.fields, fields=fields) if field in (matching.TAGS, matching.NOTE)}
    if not free_text:
        return set()
    return set(SocialOrder.objects.filter(shop=shop, meta_order_id__in=free_text).values_list("meta_order_id", flat=True))


def _row_values(record: ShopifyOrderRecord, found: tuple[str, str] | None) -> dict:
    order = record.order
    return {
        "name": order.name[:32],
        "meta_order_id": found[0] if found else "",
        "matched_field": found[1] if found else "",
        "source_name": order.source_name[:64],
        "shopify_created_at": order.created_at,
        "shopify_updated_at": order.updated_at,
        "cancelled_at": order.cancelled_at,
        "financial_status": order.financial_status[:32],
        "fulfillment_status": order.fulfillment_status[:32],
        "social_channel": matching.social_channel(record.fields),
    }
