"""Reading the shop's Facebook & Instagram orders from Shopify and storing where each keeps its Meta id.

Two ways in: the poll queries Shopify's orders of the channel changed since the last look (GraphQL,
paginated), and the orders/create and orders/updated webhooks hand over one order at once. Both end in
shopify_orders_store, which upserts ShopifySocialOrder rows in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.dateparse import parse_datetime

from orderguard.integrations.shopify.client import ShopifyAdminClient
from orderguard.orders.models import PollState, ShopifySocialOrder, SocialOrder
from orderguard.reconciliation import matching
from orderguard.shops.models import Shop

# Look back further than the last look, so an order updated while the previous query ran is not missed.
OVERLAP = timedelta(minutes=10)
# The first look covers Meta's 30-day window (Shopify keeps 60 days visible without read_all_orders).
INITIAL_WINDOW = timedelta(days=35)
MAX_PAGES = 50  # 5,000 orders: far more than a shop's social orders in the window


@dataclass(frozen=True)
class ShopifyOrderRecord:
    shopify_order_id: str
    name: str
    fields: matching.ShopifyOrderFields
    created_at: datetime | None
    updated_at: datetime | None
    cancelled_at: datetime | None
    financial_status: str
    fulfillment_status: str

    @classmethod
    def from_graphql(cls, node: dict) -> ShopifyOrderRecord:
        return cls(
            shopify_order_id=node["id"],
            name=node.get("name") or "",
            fields=matching.ShopifyOrderFields(
                source_name=node.get("sourceName") or "",
                source_identifier=node.get("sourceIdentifier") or "",
                custom_attributes=tuple((a.get("key") or "", a.get("value") or "") for a in node.get("customAttributes") or ()),
                tags=tuple(node.get("tags") or ()),
                note=node.get("note") or "",
            ),
            created_at=_time(node.get("createdAt")),
            updated_at=_time(node.get("updatedAt")),
            cancelled_at=_time(node.get("cancelledAt")),
            financial_status=node.get("displayFinancialStatus") or "",
            fulfillment_status=node.get("displayFulfillmentStatus") or "",
        )

    @classmethod
    def from_webhook(cls, payload: dict) -> ShopifyOrderRecord:
        """From an orders/create or orders/updated payload (REST field names)."""
        tags = payload.get("tags") or ""
        return cls(
            shopify_order_id=str(payload.get("admin_graphql_api_id") or f"gid://shopify/Order/{payload.get('id')}"),
            name=str(payload.get("name") or ""),
            fields=matching.ShopifyOrderFields(
                source_name=str(payload.get("source_name") or ""),
                source_identifier=str(payload.get("source_identifier") or ""),
                custom_attributes=tuple(
                    (str(a.get("name") or ""), str(a.get("value") or "")) for a in payload.get("note_attributes") or () if isinstance(a, dict)
                ),
                tags=tuple(tag.strip() for tag in str(tags).split(",") if tag.strip()),
                note=str(payload.get("note") or ""),
            ),
            created_at=_time(payload.get("created_at")),
            updated_at=_time(payload.get("updated_at")),
            cancelled_at=_time(payload.get("cancelled_at")),
            financial_status=str(payload.get("financial_status") or "").upper(),
            fulfillment_status=str(payload.get("fulfillment_status") or "").upper(),
        )


def match_fields() -> tuple[str, ...]:
    return tuple(settings.ORDER_MATCH_FIELDS)


def shopify_channels_refresh(*, client: ShopifyAdminClient, state: PollState, now: datetime) -> None:
    """Learn the handles of the Facebook & Instagram channel's definitions, to scope order queries."""
    shop_data = client.query("installed_channels").data.get("shop") or {}
    handles = []
    for channel in shop_data.get("channelDefinitionsForInstalledChannels") or []:
        for definition in channel.get("channelDefinitions") or []:
            names = f"{channel.get('channelName', '')} {definition.get('channelName', '')}".lower()
            if "facebook" in names or "instagram" in names:
                handles.append(definition["handle"])
    state.channel_handles = sorted(set(handles))
    state.channel_installed = bool(handles)
    state.channels_checked_at = now


def shopify_social_orders_sync(*, shop: Shop, client: ShopifyAdminClient, state: PollState, now: datetime) -> int:
    """Fetch the channel's orders changed since the last look and store them. Returns how many were seen."""
    since = state.shopify_cursor - OVERLAP if state.shopify_cursor else now - INITIAL_WINDOW
    scope = f"channel:{','.join(state.channel_handles)}" if state.channel_handles else f"source_name:{matching.META_CHANNEL_SOURCE_NAME}"
    query = f"updated_at:>='{since:%Y-%m-%dT%H:%M:%SZ}' {scope}"
    records: list[ShopifyOrderRecord] = []
    after = None
    for _ in range(MAX_PAGES):
        orders = client.query("social_orders", {"query": query, "after": after}).data["orders"]
        records.extend(ShopifyOrderRecord.from_graphql(node) for node in orders["nodes"])
        if not orders["pageInfo"]["hasNextPage"]:
            break
        after = orders["pageInfo"]["endCursor"]
    shopify_orders_store(shop=shop, records=records)
    state.shopify_cursor = now
    state.shopify_checked_at = now
    return len(records)


def shopify_orders_store(*, shop: Shop, records: Sequence[ShopifyOrderRecord]) -> list[ShopifySocialOrder]:
    """Upsert Shopify orders with the Meta id each one names (if any). Bulk: constant queries."""
    if not records:
        return []
    fields = match_fields()
    free_text = {meta_id for r in records for meta_id, field in matching.candidate_ids(r.fields, fields=fields) if field in (matching.TAGS, matching.NOTE)}
    known = set(SocialOrder.objects.filter(shop=shop, meta_order_id__in=free_text).values_list("meta_order_id", flat=True)) if free_text else set()
    existing = {row.shopify_order_id: row for row in ShopifySocialOrder.objects.filter(shop=shop, shopify_order_id__in=[r.shopify_order_id for r in records])}
    created, updated = [], []
    for record in {r.shopify_order_id: r for r in records}.values():
        found = matching.match(record.fields, known_meta_ids=known, fields=fields)
        values = {
            "name": record.name[:32],
            "meta_order_id": found[0] if found else "",
            "matched_field": found[1] if found else "",
            "source_name": record.fields.source_name[:64],
            "shopify_created_at": record.created_at,
            "shopify_updated_at": record.updated_at,
            "cancelled_at": record.cancelled_at,
            "financial_status": record.financial_status[:32],
            "fulfillment_status": record.fulfillment_status[:32],
        }
        row = existing.get(record.shopify_order_id)
        if row is None:
            created.append(ShopifySocialOrder(shop=shop, shopify_order_id=record.shopify_order_id, **values))
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            updated.append(row)
    if created:
        ShopifySocialOrder.objects.bulk_create(created, ignore_conflicts=True)
    if updated:
        ShopifySocialOrder.objects.bulk_update(updated, list(values))
    return created + updated


def _time(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None
