"""The support dossier: one zip for Shopify support (first) and Meta Commerce support (then).

Contents: report.html (readable, in the merchant's language: what is wrong, whom to contact in which
order, how to ask Shopify for a callback, what to paste), stuck-orders.csv (the orders page's export),
checks.json (results now and every change over time), api-errors.json (Meta fbtrace_ids and Shopify
request ids), reconnect-timeline.json. Buyer names and e-mail addresses are left out unless the
merchant includes them; shipping addresses never go in.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from orderguard.health import selectors
from orderguard.health.models import HealthCheckChange, HealthCheckResult
from orderguard.health.reconnect import reconnect_current
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.csv_export import csv_dialect_name, orders_csv_lines
from orderguard.orders.models import PollState, SocialOrder
from orderguard.orders.selectors import stuck_orders
from orderguard.shops.models import Shop

SHOPIFY_SUPPORT_URL = "https://help.shopify.com/en/questions"
META_SUPPORT_URL = "https://www.facebook.com/business/help/support"


def _minimised(order: SocialOrder, *, include_buyer: bool) -> SocialOrder:
    """A copy for the export (never saved): without the buyer unless the merchant includes them."""
    shown = copy.copy(order)
    if not include_buyer:
        shown.buyer_name, shown.buyer_email = "", ""
    shown.shipping_address = {}
    return shown


def api_errors(*, shop: Shop) -> list[dict]:
    """Every platform error id OrderGuard kept: in check results, their history, the poll and the connection."""
    errors = []
    for result in HealthCheckResult.objects.filter(shop=shop).exclude(error_ids={}):
        errors.append({"source": f"check {result.code}", "at": result.ran_at.isoformat(), **result.error_ids,
                       "message": selectors.render_message(result.message, result.params)})
    for change in HealthCheckChange.objects.filter(shop=shop).exclude(error_ids={}).order_by("at"):
        errors.append({"source": f"check {change.code} changed", "at": change.at.isoformat(), **change.error_ids})
    state = PollState.objects.filter(shop=shop).first()
    if state and state.last_error_message:
        errors.append({"source": "poll", "at": state.last_attempt_at.isoformat() if state.last_attempt_at else None,
                       "code": state.last_error_code, "message": state.last_error_message})
    if state and state.shopify_error:
        errors.append({"source": "poll (Shopify)", "message": state.shopify_error})
    connection = MetaConnection.objects.filter(shop=shop).first()
    if connection and connection.broken_message:
        errors.append({"source": "Meta connection", "at": connection.broken_at.isoformat() if connection.broken_at else None,
                       "code": connection.broken_reason, "message": connection.broken_message})
    return errors


def reconnect_timeline(*, shop: Shop) -> dict:
    session = reconnect_current(shop=shop)
    if session is None:
        return {}
    return {"status": session.status, "outcome": session.outcome, "started_at": session.started_at.isoformat(),
            "verify_deadline": session.verify_deadline.isoformat() if session.verify_deadline else None,
            "stuck_order_ids": session.stuck_order_ids,
            "events": [{"kind": e.kind, "step": e.step, "at": e.at.isoformat(), **e.detail} for e in session.events.all()]}


def health_dossier(*, shop: Shop, include_buyer: bool = False, now: datetime | None = None) -> bytes:
    """The zip, in the active language."""
    now = now or timezone.now()
    orders = [_minimised(order, include_buyer=include_buyer) for order in stuck_orders(shop=shop)]
    connection = MetaConnection.objects.filter(shop=shop).first()
    panel = selectors.health_panel(shop=shop)
    errors = api_errors(shop=shop)
    timeline = reconnect_timeline(shop=shop)
    report = render_to_string("health/dossier_report.html", {
        "shop": shop, "now": now, "language": get_language() or "en", "orders": orders, "panel": panel, "connection": connection, "errors": errors,
        "timeline": timeline, "include_buyer": include_buyer, "shopify_support_url": SHOPIFY_SUPPORT_URL,
        "meta_support_url": META_SUPPORT_URL,
        "problems": [row for row in panel.rows if row.result in ("failing", "warning")],
    })
    checks = {**selectors.health_results_json(shop=shop), "history": selectors.health_history(shop=shop)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.html", report)
        # In English with commas whatever the merchant's language: support desks read it. Never an address.
        csv_lines = orders_csv_lines(orders, language="en", dialect=csv_dialect_name(language="en"), with_contact=include_buyer, with_address=False)
        archive.writestr("stuck-orders.csv", "".join(csv_lines))
        archive.writestr("checks.json", json.dumps(checks, indent=2, sort_keys=True))
        archive.writestr("api-errors.json", json.dumps(errors, indent=2, sort_keys=True))
        archive.writestr("reconnect-timeline.json", json.dumps(timeline, indent=2, sort_keys=True))
    return buffer.getvalue()
