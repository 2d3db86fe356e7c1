"""The embedded app's pages (htmx views only): parse input, call one selector or service, render a page
or a partial.

Every view here sits under /app, so the auth middleware has verified the ID token and set request.shop;
every query is scoped by that shop. Page loads render from the database only: the workers keep it fresh,
so no page waits for Shopify or Meta. Action endpoints call one service, which may call a platform and
raises the project's own errors (orderguard.core.exceptions), never a platform's.
"""

from __future__ import annotations

import json
from dataclasses import fields

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from orderguard.core.exceptions import PlatformUnavailable
from orderguard.core.http import AppRequest
from orderguard.orders import csv_export
from orderguard.orders import selectors as order_selectors
from orderguard.shops import selectors as shop_selectors
from orderguard.shops import services as shop_services
from orderguard.shops.exceptions import ShopUnavailable

MAX_EXPORT = 500


def context_of(data, **extra) -> dict:
    """A selector's dataclass as template context (its fields, not copies of them), plus extras."""
    return {**{field.name: getattr(data, field.name) for field in fields(data)}, **extra}


@require_GET
def home(request: AppRequest) -> HttpResponse:
    """The orders page: the summary above the fold, then the list with tabs, filters and pages."""
    query = order_selectors.OrderListQuery.from_params(request.GET)
    if request.htmx and request.htmx.target == "orders-list":
        listing = order_selectors.orders_list_context(shop=request.shop, query=query)
        return render(request, "dashboard/orders.html#orders-list", context_of(listing, shop=request.shop))
    page = order_selectors.orders_page_context(shop=request.shop, query=query)
    return render(request, "dashboard/orders.html", context_of(page, shop=request.shop, nav="orders"))


@require_GET
def orders_summary(request: AppRequest) -> HttpResponse:
    panel = order_selectors.orders_summary_context(shop=request.shop)
    return render(request, "dashboard/orders.html#summary", context_of(panel, shop=request.shop))


@require_GET
def orders_freshness(request: AppRequest) -> HttpResponse:
    """Polled by the page every few seconds: 204 while nothing changed; otherwise a new poller element
    and an og:orders-changed event, on which the list and the summary reload themselves, and a toast
    when orders reached Shopify meanwhile."""
    seen = request.GET.get("seen", "")
    stamp = order_selectors.orders_freshness_stamp(shop=request.shop)
    if stamp == seen:
        return HttpResponse(status=204)
    response = render(request, "dashboard/orders.html#freshness", {"stamp": stamp})
    resolved = order_selectors.orders_resolved_since(shop=request.shop, stamp=seen) if seen else 0
    if resolved:
        message = ngettext("%(count)d order reached Shopify.", "%(count)d orders reached Shopify.", resolved) % {"count": resolved}
        trigger_client_event(response, "og:toast", {"message": message})
    return trigger_client_event(response, "og:orders-changed", {})


@require_GET
def order_detail(request: AppRequest, order_id: int) -> HttpResponse:
    detail = order_selectors.order_detail_context(shop=request.shop, order_id=order_id)
    if detail is None:
        raise Http404
    template = "dashboard/order_detail.html#drawer" if request.htmx else "dashboard/order_detail.html"
    return render(request, template, context_of(detail, shop=request.shop, nav="orders"))


@require_POST
def orders_export(request: AppRequest) -> StreamingHttpResponse:
    """The orders as CSV, streamed: the selected ones (`ids`; values that are not ids are ignored), or with
    scope=matching every order of the tab and filters posted (tab, channel, q, sort). Buyer contact
    only with contact=1; the separator by the merchant's language unless `separator` says otherwise."""
    if request.POST.get("scope") == "matching":
        query = order_selectors.OrderListQuery.from_params(request.POST)
        orders = order_selectors.orders_matching(shop=request.shop, query=query).order_by(*order_selectors.SORTS[query.sort]).iterator(chunk_size=500)
    else:
        ids = [int(value) for value in request.POST.getlist("ids") if value.isascii() and value.isdigit()][:MAX_EXPORT]
        orders = order_selectors.orders_by_ids(shop=request.shop, ids=ids)
    language = request.LANGUAGE_CODE
    lines = csv_export.orders_csv_lines(
        orders, language=language, with_contact=request.POST.get("contact") == "1",
        dialect=csv_export.csv_dialect_name(language=language, choice=request.POST.get("separator", "")),
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orderguard-orders-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response


@require_POST
def shop_sync(request: AppRequest) -> HttpResponse:
    """Fetch the shop's details from Shopify again (the shop card's refresh button)."""
    status, message, is_error = 200, _("Shop details updated from Shopify."), False
    try:
        shop_services.shop_details_refresh(shop=request.shop)
    except ShopUnavailable as error:
        status, message, is_error = 409, str(error), True
    except PlatformUnavailable as error:
        status, message, is_error = 502, str(error), True
    response = render(request, "dashboard/settings.html#shop-card", {"shop": request.shop, "sync_error": message if is_error else ""}, status=status)
    return trigger_client_event(response, "og:toast", {"message": message, "error": is_error})


@require_GET
def data_request_export(request: AppRequest, export_id: int) -> HttpResponse:
    export = shop_selectors.data_request_export_get(shop=request.shop, export_id=export_id)
    if export is None:
        raise Http404
    response = HttpResponse(json.dumps(export.export, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="orderguard-data-request-{export.pk}.json"'
    return response
