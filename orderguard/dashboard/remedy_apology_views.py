"""The apology email in the app (htmx partials in the order drawer): the draft the merchant edits, its
sending as a remedy action, the action's progress, and the same for several selected orders.

Every form carries an idempotency key made when it was rendered: submitting it twice (a double click)
is one action (remediation/apology_send.py).
"""

from __future__ import annotations

import secrets

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from orderguard.core.http import AppRequest
from orderguard.orders import selectors as order_selectors
from orderguard.remediation import apology_send
from orderguard.remediation import selectors as remedy_selectors

MAX_BULK = 50


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _actor(request: AppRequest) -> str:
    """The admin user who clicked (the ID token's `sub`), as the action's and the timeline's "who"."""
    return f"user:{getattr(request.id_token_claims, 'user_id', '')}"[:64]


def _order(request: AppRequest, order_id: int):
    order = order_selectors.order_get(shop=request.shop, order_id=order_id)
    if order is None:
        raise Http404
    return order


def _compose(request: AppRequest, order, params):
    return remedy_selectors.apology_compose(
        shop=request.shop, order=order, language=params.get("language", ""),
        include_link=params.get("link", "1") != "0", discount=params.get("discount", ""),
    )


@require_GET
def apology_draft(request: AppRequest, order_id: int) -> HttpResponse:
    """The editable draft (opened from the drawer; the language switch and the options re-render it)."""
    order = _order(request, order_id)
    context = {"c": _compose(request, order, request.GET), "key": _new_key(), "order": order}
    return render(request, "remediation/_apology_draft.html", context)


@require_POST
def apology_send_view(request: AppRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    try:
        action, _created = apology_send.apology_email_request(
            shop=request.shop, order=order, subject=request.POST.get("subject", ""), body=request.POST.get("body", ""),
            language=request.POST.get("language", ""), actor=_actor(request), idempotency_key=request.POST.get("key", ""),
        )
    except apology_send.ApologyRefused as refusal:
        # The merchant's edits stay in the form, with what stopped it.
        context = {"c": _compose(request, order, request.POST), "key": _new_key(), "order": order, "error": refusal.message,
                   "subject": request.POST.get("subject", ""), "body": request.POST.get("body", "")}
        return render(request, "remediation/_apology_draft.html", context, status=409)
    return render(request, "remediation/_apology_status.html", {"action": action})


@require_GET
def apology_status(request: AppRequest, action_id: int) -> HttpResponse:
    """One apology's progress; it asks again every two seconds until it ended."""
    action = remedy_selectors.apology_action_get(shop=request.shop, action_id=action_id)
    if action is None:
        raise Http404
    return render(request, "remediation/_apology_status.html", {"action": action})


@require_GET
def apology_history(request: AppRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    return render(request, "remediation/_apology_history.html", {"actions": remedy_selectors.apology_actions(order=order), "order": order})


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isascii() and value.isdigit()][:MAX_BULK]


@require_POST
def apology_bulk(request: AppRequest) -> HttpResponse:
    """Drafts for the selected orders, each with its own key, in one form the merchant reviews."""
    orders = order_selectors.orders_by_ids(shop=request.shop, ids=_ids(request.POST.getlist("ids")))
    drafts = [{"c": _compose(request, order, request.POST), "key": _new_key(), "order": order} for order in orders]
    return render(request, "remediation/_apology_bulk.html", {"drafts": drafts, "language": request.POST.get("language", "")})


@require_POST
def apology_bulk_send(request: AppRequest) -> HttpResponse:
    """Send each reviewed draft as its own action; the summary says what happened to each."""
    orders = {order.pk: order for order in order_selectors.orders_by_ids(shop=request.shop, ids=_ids(request.POST.getlist("order")))}
    results = []
    for order_id, order in orders.items():
        field = f"o{order_id}"
        try:
            action, _created = apology_send.apology_email_request(
                shop=request.shop, order=order, subject=request.POST.get(f"{field}-subject", ""), body=request.POST.get(f"{field}-body", ""),
                language=request.POST.get(f"{field}-language", ""), actor=_actor(request), idempotency_key=request.POST.get(f"{field}-key", ""),
            )
            results.append({"order": order, "action": action, "error": ""})
        except apology_send.ApologyRefused as refusal:
            results.append({"order": order, "action": None, "error": refusal.message})
    return render(request, "remediation/_apology_bulk_result.html", {"results": results, "sent": sum(1 for r in results if r["action"])})
