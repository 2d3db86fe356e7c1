"""Order endpoints: list an account's orders, read one order and its edges, acknowledge, cancel.

    GET  /{cms-id}/commerce_orders   state (default CREATED), updated_after/_before, filters, fields, limit, after/before
    GET  /{order-id}                 fields
    GET  /{order-id}/items | cancellations | refunds | shipments
    POST /{order-id}/acknowledge_order     idempotency_key, merchant_order_reference
    POST /{cms-id}/acknowledge_orders      idempotency_key, orders=[{id, merchant_order_reference}] (<= 100)
    POST /{order-id}/cancellations         idempotency_key, cancel_reason, restock_items, items
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.utils.dateparse import parse_datetime

from orderguard.sandbox.meta import errors, faults, graph, idempotency, orders
from orderguard.sandbox.meta import representations as rep
from orderguard.sandbox.meta.call import Call
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaOrder

STATES = [state.value for state in MetaOrder.State]
FILTERS = {
    "no_shipments": lambda order: not order.shipments,
    "has_fulfillments": lambda order: bool(order.shipments),
    "has_cancellations": lambda order: bool(order.cancellations),
    "no_cancellations": lambda order: not order.cancellations,
    "has_refunds": lambda order: bool(order.refunds),
    "no_refunds": lambda order: not order.refunds,
}
MAX_BATCH = 100
INVALID_ORDER_ID = 2361003


def list_orders(call: Call, account: MetaCommerceAccount) -> dict:
    states = _csv(call.params.get("state"), "state", STATES) or ["CREATED"]  # Meta's default: CREATED only
    filters = _csv(call.params.get("filters"), "filters", list(FILTERS))
    selection = call.fields()
    limit = graph.parse_limit(call.params.get("limit"))
    rows = account.orders.filter(state__in=states)
    if (after := _time_param(call, "updated_after")) is not None:
        rows = rows.filter(last_updated__gt=after)
    if (before := _time_param(call, "updated_before")) is not None:
        rows = rows.filter(last_updated__lt=before)
    matching = [order for order in rows.order_by("-created", "-id") if all(FILTERS[name](order) for name in filters)]
    page = graph.paginate(
        matching,
        key=lambda order: [-int(order.created.timestamp() * 1_000_000), -int(order.id)],
        after=call.params.get("after"),
        before=call.params.get("before"),
        limit=limit,
    )
    data = [graph.select(_answer(call, account, order), selection, rep.ORDER, edge_url=call.edge_link) for order in page.rows]
    return graph.paged_body(data, page, url=call.page_link)


def get_order(call: Call, order: MetaOrder) -> dict:
    return graph.select(_answer(call, order.account, order), call.fields(), rep.ORDER, edge_url=call.edge_link)


def _answer(call: Call, account: MetaCommerceAccount, order: MetaOrder) -> dict:
    """The order as the Graph API shows it, rewritten by an order_rewrite fault if one is active."""
    return faults.rewritten_order(account=account, body=rep.order(order), now=call.now)


def order_edge(name: str):
    """GET /{order-id}/<name>: the order's items, cancellations, refunds or shipments, with paging."""
    node = rep.ORDER.fields[name]

    def handler(call: Call, order: MetaOrder) -> dict:
        return graph.list_edge_body(rep.order(order)[name], node, params=call.params, selection=call.fields(),
                                    page_link=call.page_link, edge_url=call.edge_link)

    return handler


def acknowledge_order(call: Call, order: MetaOrder) -> tuple[int, dict]:
    faults.refuse_order_write(account=call.account, app_id=settings.META_APP_ID, now=call.now)
    key = idempotency.required_key(call.params)
    reference = str(call.params.get("merchant_order_reference") or "")

    def operation() -> dict:
        fresh = MetaOrder.objects.get(pk=order.pk)
        orders.acknowledge(fresh, now=call.now, reference=reference)
        return {"id": fresh.id, "state": fresh.state}

    return idempotency.run_once(key=key, print_=_print(call), account=call.account, now=call.now, operation=operation)


def acknowledge_orders(call: Call, account: MetaCommerceAccount) -> tuple[int, dict]:
    faults.refuse_order_write(account=account, app_id=settings.META_APP_ID, now=call.now)
    key = idempotency.required_key(call.params)
    entries = call.json_param("orders")
    if not isinstance(entries, list) or not entries:
        raise errors.invalid_parameter("The parameter orders is required and must be a non-empty array")
    if len(entries) > MAX_BATCH:
        raise errors.invalid_parameter(f"Param orders must contain at most {MAX_BATCH} orders, got {len(entries)}")
    if not all(isinstance(entry, dict) and entry.get("id") for entry in entries):
        raise errors.invalid_parameter("Each element of orders must be an object with an id")

    def operation() -> dict:
        found = {o.id: o for o in account.orders.filter(id__in=[str(entry["id"]) for entry in entries])}
        # An order still in FB_PROCESSING fails the whole batch (a coded exception, replayed for this key).
        for entry in entries:
            order = found.get(str(entry["id"]))
            if order is not None and order.state == MetaOrder.State.FB_PROCESSING:
                raise orders.not_ready(order)
        results = []
        for entry in entries:
            order_id = str(entry["id"])
            order = found.get(order_id)
            if order is None:
                results.append({"id": order_id, "error": {"error_code": INVALID_ORDER_ID, "error_message": "Invalid Order ID"}})
                continue
            try:
                orders.acknowledge(order, now=call.now, reference=str(entry.get("merchant_order_reference") or ""))
            except errors.GraphError as error:
                results.append({"id": order_id, "error": {"error_code": error.code, "error_message": error.message}})
                continue
            results.append({"id": order_id, "state": order.state})
        return {"orders": results}

    return idempotency.run_once(key=key, print_=_print(call), account=account, now=call.now, operation=operation)


def cancel_order(call: Call, order: MetaOrder) -> tuple[int, dict]:
    faults.refuse_order_write(account=call.account, app_id=settings.META_APP_ID, now=call.now)
    key = idempotency.required_key(call.params)
    reason = call.json_param("cancel_reason", default={}) or {}
    if not isinstance(reason, dict):
        raise errors.invalid_parameter("Param cancel_reason must be an object")
    code = reason.get("reason_code", "CANCEL_REASON_OTHER")
    if code not in orders.CANCEL_REASON_CODES:
        raise errors.invalid_parameter(f"Param cancel_reason[reason_code] must be one of {{{', '.join(orders.CANCEL_REASON_CODES)}}}")
    reason = {"reason_code": code, "reason_description": str(reason.get("reason_description", ""))}
    restock = call.bool_param("restock_items")
    lines = _cancel_lines(order, call.json_param("items"))

    def operation() -> dict:
        fresh = MetaOrder.objects.select_related("account").get(pk=order.pk)
        orders.cancel(fresh, now=call.now, reason=reason, restock=restock, lines=lines)
        return {"success": True}

    return idempotency.run_once(key=key, print_=_print(call), account=call.account, now=call.now, operation=operation)


def _cancel_lines(order: MetaOrder, items) -> list[tuple[str, int]] | None:
    if items is None:
        return None  # the whole order
    if not isinstance(items, list) or not items:
        raise errors.invalid_parameter("Param items must be a non-empty array")
    by_retailer = {row["retailer_id"]: row["id"] for row in order.items}
    lines = []
    for entry in items:
        if not isinstance(entry, dict):
            raise errors.invalid_parameter("Each element of items must be an object")
        if ("retailer_id" in entry) == ("item_id" in entry):
            raise errors.invalid_parameter("Each item needs exactly one of retailer_id and item_id")
        if "quantity" not in entry:
            raise errors.invalid_parameter("The parameter quantity is required for each item")
        item_id = str(entry["item_id"]) if "item_id" in entry else by_retailer.get(str(entry["retailer_id"]), str(entry["retailer_id"]))
        try:
            lines.append((item_id, int(entry["quantity"])))
        except (TypeError, ValueError):
            raise errors.invalid_parameter("Param quantity must be an integer") from None
    return lines


def _print(call: Call) -> str:
    return idempotency.fingerprint(method=call.method, path=call.path, params=call.params)


def _csv(raw, name: str, allowed: list[str]) -> list[str]:
    if raw in (None, ""):
        return []
    values = raw if isinstance(raw, list) else [value.strip() for value in str(raw).split(",") if value.strip()]
    for index, value in enumerate(values):
        if value not in allowed:
            raise errors.invalid_parameter(f"Param {name}[{index}] must be one of {{{', '.join(allowed)}}} - got \"{value}\"")
    return values


def _time_param(call: Call, name: str) -> datetime | None:
    """Unix seconds, as documented; an ISO-8601 time is accepted too (Graph takes strtotime strings)."""
    raw = call.params.get(name)
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text), tz=UTC)
    parsed = parse_datetime(text)
    if parsed is None:
        raise errors.invalid_parameter(f"Param {name} must be a unix timestamp")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
