"""Data behind the sandbox's Admin GraphQL API, for the fields OrderGuard reads.

graphql-core resolves a field from a dict key; a callable value is called with (info, **arguments).
The root value is built per request from the sandbox shop. Fields outside this map resolve to null, as
Shopify returns null for data an app cannot see.
"""

from __future__ import annotations

import base64
import json
import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from graphql import GraphQLError

from orderguard.sandbox.meta import shopify_channel
from orderguard.sandbox.models import SandboxShop, SandboxShopifyOrder
from orderguard.sandbox.shopify import health_shop

_root_fields: dict[str, Callable[[SandboxShop], object]] = {}


def root_field(name: str):
    """Register `fn(shop) -> value` as the resolver of Query.<name>."""

    def decorator(fn):
        _root_fields[name] = fn
        return fn

    return decorator


def root_value(shop: SandboxShop) -> dict:
    return {name: _lazy(fn, shop) for name, fn in _root_fields.items()}


def _lazy(fn, shop):
    return lambda info, **arguments: fn(shop, **arguments) if arguments else fn(shop)


@root_field("shop")
def shop_object(shop: SandboxShop) -> dict:
    return {
        "__typename": "Shop",
        "id": f"gid://shopify/Shop/{shop.numeric_id}",
        "name": shop.name,
        "email": shop.email,
        "contactEmail": shop.email,
        "currencyCode": shop.currency_code,
        "myshopifyDomain": shop.domain,
        "ianaTimezone": shop.iana_timezone,
        "primaryDomain": {
            "__typename": "Domain",
            "id": f"gid://shopify/Domain/{shop.numeric_id}",
            "url": shop.primary_domain_url or f"https://{shop.domain}",
            "host": (shop.primary_domain_url or f"https://{shop.domain}").split("://", 1)[-1],
        },
        "url": f"https://{shop.domain}",
        # Which sales channels are installed: the Facebook & Instagram channel when the shop has it.
        "channelDefinitionsForInstalledChannels": shopify_channel.installed_channels(shop),
        **health_shop.shop_fields(shop),
    }


@root_field("currentAppInstallation")
def current_app_installation(shop: SandboxShop) -> dict:
    return {
        "__typename": "AppInstallation", "id": f"gid://shopify/AppInstallation/{shop.numeric_id}",
        "accessScopes": [{"__typename": "AccessScope", "handle": scope.strip(), "description": scope.strip()}
                         for scope in shop.granted_scopes.split(",") if scope.strip()],
    }


# Orders
# ------------------------------------------------------------------------------------------------------
# orders(first|last, after|before, query, sortKey, reverse) over the shop's SandboxShopifyOrder rows, with
# the part of Shopify's search syntax OrderGuard needs (https://shopify.dev/docs/api/usage/search-syntax):
# terms AND-ed by whitespace (or AND), `a OR b` joining the two terms beside it, `-term` / `NOT term`,
# parentheses, and the fields updated_at / created_at (with :, :>, :>=, :<, :<=; ISO times or dates in the
# shop's time zone, quoted or not), source_name, channel / sales_channel (comma list of handles), status
# (open, cancelled, closed, any), financial_status, fulfillment_status, tag, name and id. Unknown fields and
# free text are ignored, as Shopify ignores unknown fields. Without read_all_orders only the last 60 days
# of orders are visible, as on Shopify.

ORDER_PAGE_MAX = 250
ORDER_HISTORY_WITHOUT_READ_ALL = timedelta(days=60)
_SORT_VALUES = {
    "ID": lambda order: order.numeric_id,
    "CREATED_AT": lambda order: order.created_at.timestamp(),
    "PROCESSED_AT": lambda order: order.created_at.timestamp(),
    "UPDATED_AT": lambda order: order.updated_at.timestamp(),
    "ORDER_NUMBER": lambda order: order.order_number,
    "TOTAL_PRICE": lambda order: float(order.total_amount),
    "CURRENT_TOTAL_PRICE": lambda order: float(order.total_amount),
}
_TERM = re.compile(r"""\(|\)|(-)?([A-Za-z_]+):(<=|>=|<|>)?("[^"]*"|'[^']*'|[^\s()]+)|("[^"]*"|'[^']*'|[^\s()]+)""")


@root_field("orders")
def orders_connection(shop: SandboxShop, first=None, last=None, after=None, before=None, query=None, sortKey="ID", reverse=False, **_ignored) -> dict:
    if (first is None) == (last is None):
        raise GraphQLError("you must provide one of first or last")
    size = first if first is not None else last
    if size > ORDER_PAGE_MAX:
        raise GraphQLError(f"The maximum page size is {ORDER_PAGE_MAX}")
    rows = list(shop.orders.all())
    if "read_all_orders" not in {s.strip() for s in shop.granted_scopes.split(",")}:
        oldest = timezone.now() - ORDER_HISTORY_WITHOUT_READ_ALL
        rows = [order for order in rows if order.created_at >= oldest]
    matcher = _parse_search(query or "", ZoneInfo(shop.iana_timezone or "UTC"))
    rows = [order for order in rows if matcher(order)]
    sort_value = _SORT_VALUES.get(sortKey or "ID", _SORT_VALUES["ID"])
    descending = bool(reverse)
    rows.sort(key=lambda order: (sort_value(order), order.numeric_id), reverse=descending)
    keys = [(sort_value(order), order.numeric_id) for order in rows]
    # Rows strictly after `after` and strictly before `before`, in the requested order.
    start = _first_beyond(keys, _decode_cursor(after), descending) if after else 0
    end = _first_at_or_beyond(keys, _decode_cursor(before), descending) if before else len(rows)
    window = list(range(start, max(start, end)))
    window = window[:first] if first is not None else window[max(len(window) - last, 0):]
    edges = [{"__typename": "OrderEdge", "cursor": _encode_cursor(keys[i]), "node": _order_node(rows[i])} for i in window]
    return {
        "__typename": "OrderConnection",
        "nodes": [edge["node"] for edge in edges],
        "edges": edges,
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": (window[-1] + 1 if window else start) < len(rows),
            "hasPreviousPage": (window[0] if window else start) > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _order_node(order: SandboxShopifyOrder) -> dict:
    money = {"__typename": "MoneyV2", "amount": f"{order.total_amount:.2f}", "currencyCode": order.currency_code}
    channel = attribution = None
    if order.channel_handle:
        # 2026-10's Order.attribution names the definition the order is attributed to (the successor of
        # channelInformation.channelDefinition: handle, and displayName in place of subChannelName).
        attribution = {"__typename": "OrderAttribution", "handle": order.channel_handle,
                       "displayName": order.sub_channel_name or order.channel_name, "icon": None}
        channel = {
            "__typename": "ChannelInformation",
            "id": f"gid://shopify/ChannelInformation/{order.numeric_id}",
            "channelId": f"gid://shopify/Channel/{order.source_name}" if order.source_name.isdigit() else None,
            "displayName": order.channel_name,
            "app": None,
            "channelDefinition": {
                "__typename": "ChannelDefinition",
                "id": f"gid://shopify/ChannelDefinition/{order.source_name}-{order.channel_handle}",
                "handle": order.channel_handle,
                "channelName": order.channel_name,
                "subChannelName": order.sub_channel_name,
                "isMarketplace": order.source_name == shopify_channel.APP_ID,
                "svgIcon": None,
            },
        }
    return {
        "__typename": "Order",
        "id": order.gid,
        "legacyResourceId": str(order.numeric_id),
        "name": order.name,
        "createdAt": _iso(order.created_at),
        "processedAt": _iso(order.created_at),
        "updatedAt": _iso(order.updated_at),
        "cancelledAt": _iso(order.cancelled_at) if order.cancelled_at else None,
        "closedAt": _iso(order.closed_at) if order.closed_at else None,
        "closed": order.closed_at is not None,
        "sourceName": order.source_name,
        "sourceIdentifier": order.source_identifier or None,
        "note": order.note or None,
        "tags": list(order.tags),
        "customAttributes": [{"__typename": "Attribute", "key": a["key"], "value": a.get("value")} for a in order.custom_attributes],
        "displayFinancialStatus": order.financial_status,
        "displayFulfillmentStatus": order.fulfillment_status,
        "currencyCode": order.currency_code,
        "totalPriceSet": {"__typename": "MoneyBag", "shopMoney": money, "presentmentMoney": dict(money)},
        "totalPrice": money["amount"],  # deprecated, still in the schema
        "channelInformation": channel,
        "attribution": attribution,
    }


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _encode_cursor(key: tuple) -> str:
    raw = json.dumps({"last_id": key[1], "last_value": key[0]}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple:
    try:
        data = json.loads(base64.b64decode(cursor, validate=True))
        return (data["last_value"], data["last_id"])
    except (ValueError, KeyError, TypeError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor}") from None


def _first_beyond(keys: list[tuple], mark: tuple, descending: bool) -> int:
    """The index of the first row that sorts after `mark` (a cursor stays valid if its order changed)."""
    return next((i for i, key in enumerate(keys) if (key < mark if descending else key > mark)), len(keys))


def _first_at_or_beyond(keys: list[tuple], mark: tuple, descending: bool) -> int:
    return next((i for i, key in enumerate(keys) if (key <= mark if descending else key >= mark)), len(keys))


# Search syntax
# ------------------------------------------------------------------------------------------------------


def _parse_search(query: str, zone: ZoneInfo) -> Callable[[SandboxShopifyOrder], bool]:
    tokens = list(_TERM.finditer(query))
    position = 0

    def expression() -> Callable:
        # Terms AND-ed; `OR` joins the term before it with the term after it.
        terms = []
        nonlocal position
        while position < len(tokens) and tokens[position].group(0) != ")":
            text = tokens[position].group(0)
            if text == "AND":
                position += 1
                continue
            if text == "OR" and terms:
                position += 1
                if position < len(tokens) and tokens[position].group(0) != ")":
                    left, right = terms.pop(), term()
                    terms.append(lambda order, left=left, right=right: left(order) or right(order))
                continue
            terms.append(term())
        return lambda order: all(test(order) for test in terms)

    def term() -> Callable:
        nonlocal position
        token = tokens[position]
        position += 1
        if token.group(0) == "NOT" and position < len(tokens):
            inner = term()
            return lambda order: not inner(order)
        if token.group(0) == "(":
            inner = expression()
            if position < len(tokens) and tokens[position].group(0) == ")":
                position += 1
            return inner
        if token.group(2) is None:
            return lambda order: True  # free text: not searched by the sandbox
        test = _field_test(token.group(2).lower(), token.group(3) or "", _unquote(token.group(4)), zone)
        return (lambda order: not test(order)) if token.group(1) else test

    return expression()


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" else value


def _field_test(name: str, comparator: str, value: str, zone: ZoneInfo) -> Callable[[SandboxShopifyOrder], bool]:
    if name in ("updated_at", "created_at", "processed_at"):
        moment = _search_time(value, zone)
        attribute = "updated_at" if name == "updated_at" else "created_at"
        if moment is None:
            return lambda order: True
        compare = {"": operator.eq, ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}[comparator]
        return lambda order: compare(getattr(order, attribute), moment)
    values = [part.strip().lower() for part in value.split(",") if part.strip()]
    if name == "source_name":
        return lambda order: order.source_name.lower() in values
    if name in ("channel", "sales_channel"):
        return lambda order: order.channel_handle.lower() in values
    if name == "status":
        tests = {
            "any": lambda order: True,
            "open": lambda order: order.cancelled_at is None and order.closed_at is None,
            "cancelled": lambda order: order.cancelled_at is not None,
            "closed": lambda order: order.closed_at is not None,
        }
        return lambda order: any(tests.get(v, tests["any"])(order) for v in values)
    if name == "financial_status":
        return lambda order: order.financial_status.lower() in values
    if name == "fulfillment_status":
        return lambda order: order.fulfillment_status.lower() in values
    if name == "tag":
        return lambda order: any(tag.lower() in values for tag in order.tags)
    if name == "name":
        return lambda order: order.name.lower().lstrip("#") in [v.lstrip("#") for v in values]
    if name == "id":
        return lambda order: str(order.numeric_id) in values
    return lambda order: True  # an unknown field: ignored


def _search_time(value: str, zone: ZoneInfo) -> datetime | None:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            return None
        moment = datetime.combine(day, time.min)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)



# The remedies' fields (draft orders, variants, discount codes) register themselves with root_field.
from orderguard.sandbox.shopify import drafts  # noqa: E402,F401
# The health checks' fields (the channel app, publications, delivery, Shopify Payments).
from orderguard.sandbox.shopify import health  # noqa: E402,F401
