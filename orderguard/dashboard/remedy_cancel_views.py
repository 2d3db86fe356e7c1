"""'Cancel and send a store link' in the app: the panel in the order drawer, the form, the confirmation
(an App Bridge modal; an in-page dialog without App Bridge), the start, the progress the row and the
drawer poll, the guided manual cancel, and the same for selected orders.

Thin: parse the form, call one service or selector of orderguard.remediation, render a partial. The
confirmation form carries an idempotency key made when it was rendered, so a double click is one action.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import retarget, trigger_client_event

from orderguard.core.exceptions import ApplicationError
from orderguard.core.http import AppRequest
from orderguard.orders import selectors as order_selectors
from orderguard.remediation import cancel_start, progress, replacements
from orderguard.remediation.cancel_rules import CancelReason
from orderguard.shops import services as shop_services

MAX_BULK = 25
REPLACE_FIELD = "replace-"  # replace-<meta item id> = the picked variant's GID


def _actor(request: AppRequest) -> str:
    """The admin user from the ID token (its `sub`)."""
    return str(getattr(request.id_token_claims, "user_id", "") or "merchant")


def _order(request: AppRequest, order_id: int):
    order = order_selectors.order_get(shop=request.shop, order_id=order_id)
    if order is None:
        raise Http404
    return order


@dataclass(frozen=True)
class ParsedOptions:
    options: cancel_start.CancelOptions | None
    errors: dict[str, str]
    values: dict
    choices: replacements.ItemChoices = replacements.ItemChoices()


def _options(data: QueryDict) -> ParsedOptions:
    """The form's choices. What the merchant decided for unmapped items (left out, or a picked
    replacement) is checked against the mapping by cancel_start.cancel_preview."""
    errors: dict[str, str] = {}
    reason = data.get("reason", "")
    if reason not in CancelReason.__members__:
        errors["reason"] = _("Pick one of Meta's reasons.")
    try:
        discount = cancel_start.parse_discount(data.get("discount", ""))
    except ValueError as error:
        errors["discount"], discount = str(error), None
    dropped = tuple(value for value in data.getlist("drop") if value)
    picks = tuple((name.removeprefix(REPLACE_FIELD), value.strip()) for name, value in data.items() if name.startswith(REPLACE_FIELD) and value.strip())
    choices = replacements.ItemChoices(dropped=dropped, replacements=picks)
    link_values = _link_values(data)
    values = {
        **link_values, "reason": reason, "description": data.get("description", "")[: cancel_start.MAX_DESCRIPTION], "restock": data.get("restock") == "on",
        "discount": data.get("discount", ""), "message": data.get("message", "")[: cancel_start.MAX_MESSAGE], "dropped": dropped,
        "replacements": dict(picks),
    }
    if errors:
        return ParsedOptions(None, errors, values, choices)
    options = cancel_start.CancelOptions(
        reason_code=reason, reason_description=values["description"], restock=values["restock"], discount=discount,
        message=values["message"], dropped_items=dropped, replacements=picks, **link_values,
    )
    return ParsedOptions(options, {}, values, choices)


def _link_values(data: QueryDict) -> dict:
    """The store link and its sending as the merchant chose them in the dialog (checked when it starts)."""
    link = data.get("link", "") if data.get("link", "") in cancel_start.LINK_KINDS else cancel_start.LINK_KINDS[0]
    send_by = data.get("send_by", "") if data.get("send_by", "") in cancel_start.SEND_KINDS else cancel_start.SEND_KINDS[0]
    return {"link": link, "send_by": send_by}


def _link_context(request: AppRequest, values: dict, options=None) -> dict:
    """What the dialog shows about the link: the choice, whether discount codes are approved."""
    return {"link_scope_missing": not cancel_start.shop_may_make_codes(shop=request.shop), "link_refusal": cancel_start.link_options_refusal(
        shop=request.shop, link=values.get("link", ""), send_by=values.get("send_by", ""), discount=options.discount if options else None)}


def _defaults() -> dict:
    return {"reason": cancel_start.DEFAULT_REASON.value, "description": str(cancel_start.DEFAULT_DESCRIPTION), "restock": False,
            "discount": "", "message": str(cancel_start.DEFAULT_MESSAGE), "dropped": (), "replacements": {}}


def _panel_context(request: AppRequest, order, **extra) -> dict:
    return {"shop": request.shop, "order": order, "reasons": cancel_start.REASON_LABELS, **extra}


@require_POST
def discount_scope_refresh(request: AppRequest) -> HttpResponse:
    """App Bridge's grant dialog answered "granted": read the scopes from Shopify now and redraw the form's
    discount-codes notice in place, so the merchant goes on with what they filled in (the app/scopes_update
    webhook records the same later). What the browser says is never trusted: Shopify's answer decides."""
    error = ""
    try:
        shop_services.shop_scopes_refresh(shop=request.shop)
    except ApplicationError as failure:
        error = str(failure)
    granted = cancel_start.shop_may_make_codes(shop=request.shop)
    response = render(request, "remediation/_cancel_discount_scope.html", {"link_scope_missing": not granted, "scope_granted": granted, "scope_error": error})
    if error:
        trigger_client_event(response, "og:toast", {"message": error, "error": True})
    return response


@require_GET
def cancel_panel(request: AppRequest, order_id: int) -> HttpResponse:
    """The drawer's section: progress if an action exists, else the button or why there is none. From the
    database only."""
    order = _order(request, order_id)
    found = progress.cancel_progress(shop=request.shop, order=order)
    if found is not None and not (found.final and (request.GET.get("again") or found.action.step == found.action.Step.STOPPED)):
        return render(request, "remediation/_progress.html", _panel_context(request, order, progress=found))
    preview = cancel_start.cancel_preview(shop=request.shop, order=order, with_mapping=False)
    return render(request, "remediation/_cancel_panel.html", _panel_context(request, order, preview=preview, progress=found))


@require_GET
def cancel_form(request: AppRequest, order_id: int) -> HttpResponse:
    """The form with what will happen, a fresh idempotency key and the item mapping (read from Shopify)."""
    order = _order(request, order_id)
    preview = cancel_start.cancel_preview(shop=request.shop, order=order)
    if not preview.allowed:
        return render(request, "remediation/_cancel_panel.html", _panel_context(request, order, preview=preview))
    values = {**_defaults(), **cancel_start.link_choice(shop=request.shop)}
    context = _panel_context(request, order, preview=preview, key=secrets.token_urlsafe(24), values=values, errors={}, **_link_context(request, values))
    return render(request, "remediation/_cancel_form.html", context)


@require_POST
def cancel_review(request: AppRequest, order_id: int) -> HttpResponse:
    """The confirmation: exactly what will happen, in a modal; the form again when something is off."""
    order = _order(request, order_id)
    parsed = _options(request.POST)
    preview = cancel_start.cancel_preview(shop=request.shop, order=order, choices=parsed.choices)
    if preview.item_errors:
        parsed = ParsedOptions(None, {**parsed.errors, "picks": _("Decide for each item that matches no product in your store: pick a replacement or leave it out.")}, parsed.values, parsed.choices)
    key = request.POST.get("key", "")
    context = _panel_context(request, order, preview=preview, key=key, values=parsed.values, errors=parsed.errors,
                             **_link_context(request, parsed.values, parsed.options))
    if parsed.options is not None and context["link_refusal"]:
        parsed = ParsedOptions(None, {"link": context["link_refusal"]}, parsed.values)
        context["errors"] = parsed.errors
    if parsed.options is None or not preview.allowed:
        response = render(request, "remediation/_cancel_form.html" if preview.allowed else "remediation/_cancel_panel.html", context, status=422)
        return retarget(response, f"#og-cancel-{order.pk}")
    return render(request, "remediation/_cancel_modal.html", {**context, "options": parsed.options})


@require_POST
def cancel_start_view(request: AppRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    parsed = _options(request.POST)
    # The items are checked again (with Shopify's variants now): what starts is what was decided.
    preview = cancel_start.cancel_preview(shop=request.shop, order=order, choices=parsed.choices)
    errors = {**parsed.errors, **preview.item_errors}
    if parsed.options is None or errors:
        response = render(request, "remediation/_cancel_panel.html", _panel_context(request, order, preview=preview, error=" ".join(errors.values())), status=422)
        return trigger_client_event(response, "og:modal-hide", {})
    try:
        action = cancel_start.cancel_and_link_start(
            shop=request.shop, order=order, idempotency_key=request.POST.get("key", ""), actor=_actor(request), options=parsed.options,
        )
    except cancel_start.CancelRefused as error:
        response = render(request, "remediation/_cancel_panel.html", _panel_context(request, order, preview=preview, error=str(error)), status=409)
        return trigger_client_event(response, "og:modal-hide", {})
    found = progress.CancelProgress(action=action, order=order, commerce_manager_url=preview.commerce_manager_url)
    response = render(request, "remediation/_progress.html", _panel_context(request, order, progress=found))
    trigger_client_event(response, "og:modal-hide", {})
    trigger_client_event(response, "og:orders-changed", {})
    return trigger_client_event(response, "og:toast", {"message": _("Started: OrderGuard checks the order, cancels it on Meta and sends the link.")})


@require_GET
def cancel_variants(request: AppRequest, order_id: int) -> HttpResponse:
    """The replacement picker's results for one unmapped item: the store's variants matching `q` (with
    the pick so far kept at the top), a hint for an empty search, or why Shopify gave nothing."""
    order = _order(request, order_id)
    item_id = request.GET.get("item", "")
    try:
        search = replacements.replacement_search(
            shop=request.shop, order=order, item_id=item_id, text=request.GET.get("q", "")[:200],
            chosen_id=request.GET.get(f"{REPLACE_FIELD}{item_id}", ""),
        )
    except replacements.ItemNotInOrder:
        raise Http404 from None
    return render(request, "remediation/_cancel_variants.html", {"shop": request.shop, "order": order, "search": search})


@require_GET
def cancel_progress_view(request: AppRequest, order_id: int) -> HttpResponse:
    """Polled by the drawer while the action is not final."""
    order = _order(request, order_id)
    found = progress.cancel_progress(shop=request.shop, order=order)
    if found is None:
        raise Http404
    return render(request, "remediation/_progress.html", _panel_context(request, order, progress=found))


@require_GET
def cancel_row(request: AppRequest, order_id: int) -> HttpResponse:
    """The row's badge, polled while the action is not final."""
    order = _order(request, order_id)
    action = progress.cancel_action_latest(shop=request.shop, order_id=order.pk)
    if action is None:
        return HttpResponse("")
    return render(request, "remediation/_progress_row.html", {"order": order, "remedy": action})


@require_POST
def cancel_manual_done(request: AppRequest, action_id: int) -> HttpResponse:
    """The merchant cancelled the order in Commerce Manager: the action carries on with the link."""
    action = progress.remedy_action_get(shop=request.shop, action_id=action_id)
    if action is None:
        raise Http404
    carried_on = cancel_start.cancel_and_link_manual_done(action=action, actor=_actor(request))
    action.refresh_from_db()
    found = progress.CancelProgress(action=action, order=action.order, commerce_manager_url=action.result.get("commerce_manager_url", ""))
    response = render(request, "remediation/_progress.html", _panel_context(request, action.order, progress=found), status=200 if carried_on else 409)
    message = _("Thanks: OrderGuard now creates the store link and sends it.") if carried_on else _("This action is not waiting for you any more.")
    return trigger_client_event(response, "og:toast", {"message": message, "error": not carried_on})


# Selected orders
# ------------------------------------------------------------------------------------------------------


def _selected(request: AppRequest) -> list:
    ids = [int(value) for value in request.POST.getlist("ids") if value.isascii() and value.isdigit()][:MAX_BULK]
    return order_selectors.orders_by_ids(shop=request.shop, ids=ids)


def _bulk_form_context(request: AppRequest, orders, *, keys: dict, values: dict, errors: dict, options=None) -> dict:
    previews = [cancel_start.cancel_preview(shop=request.shop, order=order) for order in orders]
    return {"shop": request.shop, "previews": previews, "keys": keys, "values": values, "errors": errors, "reasons": cancel_start.REASON_LABELS,
            **_link_context(request, values, options)}


def _bulk_link_refused(request: AppRequest, parsed: ParsedOptions) -> ParsedOptions:
    """The same link rules as one order's: checked once for all, so a missing approval is asked for on
    the form instead of refusing every order one by one."""
    refusal = _link_context(request, parsed.values, parsed.options)["link_refusal"] if parsed.options is not None else ""
    return ParsedOptions(None, {"link": refusal}, parsed.values) if refusal else parsed


@require_POST
def cancel_bulk_form(request: AppRequest) -> HttpResponse:
    """One form for the selected orders (shown in the drawer), each order with its own key and verdict;
    the store link and its sending default to the shop's settings."""
    orders = _selected(request)
    values = {**_defaults(), **cancel_start.link_choice(shop=request.shop)}
    context = _bulk_form_context(request, orders, keys={}, values=values, errors={})
    context["keys"] = {preview.order.pk: secrets.token_urlsafe(24) for preview in context["previews"] if preview.allowed}
    return render(request, "remediation/_cancel_bulk_form.html", context)


@require_POST
def cancel_bulk_review(request: AppRequest) -> HttpResponse:
    selected = _selected(request)
    orders = [order for order in selected if request.POST.get(f"key_{order.pk}")]
    parsed = _bulk_link_refused(request, _options(request.POST))
    if parsed.options is None:
        keys = {order.pk: request.POST.get(f"key_{order.pk}") for order in orders}
        context = _bulk_form_context(request, selected, keys=keys, values=parsed.values, errors=parsed.errors)
        return retarget(render(request, "remediation/_cancel_bulk_form.html", context, status=422), "#og-cancel-bulk")
    return render(request, "remediation/_cancel_bulk_modal.html", {"shop": request.shop, "orders": orders, "options": parsed.options, "reasons": cancel_start.REASON_LABELS})


@require_POST
def cancel_bulk_start(request: AppRequest) -> HttpResponse:
    """Each selected order its own action (unmapped items left out) with the same choices, then a summary
    of what started. Link options that cannot run (an approval missing meanwhile) bring the form back."""
    selected = _selected(request)
    orders = [order for order in selected if request.POST.get(f"key_{order.pk}")]
    parsed = _options(request.POST)
    if parsed.options is None or not orders:
        return trigger_client_event(HttpResponse(status=422), "og:toast", {"message": _("Nothing to start."), "error": True})
    refused = _bulk_link_refused(request, parsed)
    if refused.options is None:
        keys = {order.pk: request.POST[f"key_{order.pk}"] for order in orders}
        context = _bulk_form_context(request, selected, keys=keys, values=refused.values, errors=refused.errors)
        response = render(request, "remediation/_cancel_bulk_form.html", context, status=409)
        return trigger_client_event(response, "og:modal-hide", {})
    pairs = [(order, request.POST[f"key_{order.pk}"]) for order in orders]
    outcomes = cancel_start.cancel_and_link_start_many(shop=request.shop, orders_and_keys=pairs, actor=_actor(request), options=parsed.options)
    started = sum(1 for outcome in outcomes if outcome.action is not None)
    context = {"outcomes": outcomes, "started": started, "refused": len(outcomes) - started, "options": parsed.options}
    response = render(request, "remediation/_cancel_bulk_result.html", context)
    trigger_client_event(response, "og:modal-hide", {})
    trigger_client_event(response, "og:orders-changed", {})
    return trigger_client_event(response, "og:toast", {"message": _("%(n)s of %(total)s started.") % {"n": started, "total": len(outcomes)}})
