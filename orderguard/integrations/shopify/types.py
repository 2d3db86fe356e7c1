"""Typed results parsed from Admin API responses (and webhook payloads): frozen dataclasses.

Missing fields become empty values, so a narrower selection still parses; timestamps become aware
datetimes (a value without an offset is taken as UTC); ids stay strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orderguard.integrations._time import parse_datetime


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    def seconds_until(self, points: float) -> float:
        """How long until `points` are available again."""
        missing = points - self.currently_available
        if missing <= 0 or self.restore_rate <= 0:
            return 0.0
        return missing / self.restore_rate


@dataclass(frozen=True)
class QueryCost:
    requested: float
    actual: float | None
    throttle: ThrottleStatus | None

    @classmethod
    def from_extensions(cls, extensions: dict | None) -> QueryCost | None:
        cost = (extensions or {}).get("cost")
        if not isinstance(cost, dict):
            return None
        status = cost.get("throttleStatus") or {}
        throttle = None
        if status:
            throttle = ThrottleStatus(
                maximum_available=float(status.get("maximumAvailable", 0)),
                currently_available=float(status.get("currentlyAvailable", 0)),
                restore_rate=float(status.get("restoreRate", 0)),
            )
        actual = cost.get("actualQueryCost")
        return cls(
            requested=float(cost.get("requestedQueryCost") or 0),
            actual=float(actual) if actual is not None else None,
            throttle=throttle,
        )


@dataclass(frozen=True)
class GraphQLResponse:
    data: dict[str, Any]
    cost: QueryCost | None
    request_id: str | None
    # Shopify's X-Shopify-API-Deprecated-Reason: the request used something deprecated (empty if not).
    deprecated_reason: str = ""


@dataclass(frozen=True)
class ShopDetails:
    name: str
    currency_code: str
    myshopify_domain: str
    iana_timezone: str
    primary_domain_url: str
    contact_email: str = ""  # contactEmail (what customers see), else the shop's email

    @classmethod
    def from_data(cls, data: dict) -> ShopDetails:
        shop = data["shop"]
        return cls(
            name=shop.get("name") or "",
            currency_code=shop.get("currencyCode") or "",
            myshopify_domain=shop.get("myshopifyDomain") or "",
            iana_timezone=shop.get("ianaTimezone") or "",
            primary_domain_url=(shop.get("primaryDomain") or {}).get("url") or "",
            contact_email=shop.get("contactEmail") or shop.get("email") or "",
        )


@dataclass(frozen=True)
class ShopifyOrder:
    """An order as the social-orders query (or an orders/* webhook) describes it: every field Shopify may
    keep a Meta order id in, plus its timestamps and display statuses."""

    id: str
    name: str
    source_name: str
    source_identifier: str
    custom_attributes: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    note: str
    created_at: datetime | None
    updated_at: datetime | None
    cancelled_at: datetime | None
    financial_status: str
    fulfillment_status: str
    # The names Shopify gives the order's selling surface, most specific first: the attribution's
    # display name and handle (2026-10's successor), then the deprecated channelInformation's
    # subChannelName ("Instagram Shopping"), channelName and handle. Empty from a webhook (REST has none).
    channel_names: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, node: dict) -> ShopifyOrder:
        """From a GraphQL `Order` node (social_orders.graphql)."""
        return cls(
            id=node["id"],
            name=_text(node.get("name")),
            source_name=_text(node.get("sourceName")),
            source_identifier=_text(node.get("sourceIdentifier")),
            custom_attributes=tuple((_text(a.get("key")), _text(a.get("value"))) for a in node.get("customAttributes") or ()),
            tags=tuple(node.get("tags") or ()),
            note=_text(node.get("note")),
            created_at=parse_datetime(node.get("createdAt")),
            updated_at=parse_datetime(node.get("updatedAt")),
            cancelled_at=parse_datetime(node.get("cancelledAt")),
            financial_status=_text(node.get("displayFinancialStatus")),
            fulfillment_status=_text(node.get("displayFulfillmentStatus")),
            channel_names=_channel_names(node),
        )

    @classmethod
    def from_webhook(cls, payload: dict) -> ShopifyOrder:
        """From an orders/create or orders/updated payload (REST field names, lower-case statuses)."""
        attributes = [a for a in payload.get("note_attributes") or () if isinstance(a, dict)]
        return cls(
            id=str(payload.get("admin_graphql_api_id") or f"gid://shopify/Order/{payload.get('id')}"),
            name=_text(payload.get("name")),
            source_name=_text(payload.get("source_name")),
            source_identifier=_text(payload.get("source_identifier")),
            custom_attributes=tuple((_text(a.get("name")), _text(a.get("value"))) for a in attributes),
            tags=tuple(tag.strip() for tag in _text(payload.get("tags")).split(",") if tag.strip()),
            note=_text(payload.get("note")),
            created_at=parse_datetime(payload.get("created_at")),
            updated_at=parse_datetime(payload.get("updated_at")),
            cancelled_at=parse_datetime(payload.get("cancelled_at")),
            financial_status=_text(payload.get("financial_status")).upper(),
            fulfillment_status=_text(payload.get("fulfillment_status")).upper(),
        )


@dataclass(frozen=True)
class OrdersPage:
    """One page of an `orders` connection, with where the next page starts."""

    orders: tuple[ShopifyOrder, ...]
    has_next_page: bool
    end_cursor: str | None

    @classmethod
    def from_data(cls, data: dict) -> OrdersPage:
        connection = data["orders"]
        page_info = connection.get("pageInfo") or {}
        return cls(
            orders=tuple(ShopifyOrder.from_api(node) for node in connection.get("nodes") or ()),
            has_next_page=bool(page_info.get("hasNextPage")),
            end_cursor=page_info.get("endCursor"),
        )


@dataclass(frozen=True)
class ChannelDefinition:
    """A channel definition of an installed sales channel: the handle its orders are attributed to."""

    handle: str
    channel_name: str  # the installed channel ("Facebook & Instagram")
    definition_name: str  # this definition's own channelName ("Facebook", "Instagram Shop"…)
    sub_channel_name: str
    is_marketplace: bool

    @classmethod
    def list_from_data(cls, data: dict) -> list[ChannelDefinition]:
        """Every definition of every installed channel, flattened (installed_channels.graphql)."""
        shop = data.get("shop") or {}
        return [
            cls(
                handle=definition["handle"],
                channel_name=channel.get("channelName") or "",
                definition_name=definition.get("channelName") or "",
                sub_channel_name=definition.get("subChannelName") or "",
                is_marketplace=bool(definition.get("isMarketplace")),
            )
            for channel in shop.get("channelDefinitionsForInstalledChannels") or ()
            for definition in channel.get("channelDefinitions") or ()
        ]


def _channel_names(node: dict) -> tuple[str, ...]:
    attribution = node.get("attribution") or {}
    information = node.get("channelInformation") or {}
    definition = information.get("channelDefinition") or {}
    names = (
        attribution.get("displayName"), attribution.get("handle"),
        definition.get("subChannelName"), definition.get("channelName"), definition.get("handle"), information.get("displayName"),
    )
    return tuple(_text(name) for name in names if name and isinstance(name, str))


def _text(value: Any) -> str:
    return str(value) if value else ""
