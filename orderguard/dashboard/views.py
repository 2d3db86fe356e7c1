"""The embedded app's pages (htmx views only): call selectors/services, render a page or a partial.

Every view here sits under /app, so the auth middleware has verified the ID token and set request.shop;
every query is scoped by that shop. Page loads render from the database only: the workers keep it fresh,
so no page waits for Shopify or Meta.
"""

from __future__ import annotations

import csv
import io
import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from orderguard.core.http import AppRequest
from orderguard.integrations.shopify.errors import ShopifyError
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders import selectors as orders
from orderguard.orders.reasons import reason_text, status_label
from orderguard.shops import selectors, services
from orderguard.shops.exceptions import ShopUnavailable

MAX_EXPORT = 500


@require_GET
def home(request: AppRequest) -> HttpResponse:
    """The orders page: the summary above the fold, then the list with tabs, filters and pages."""
    query = orders.OrderListQuery.from_params(request.GET)
    tab_counts = orders.orders_tab_counts(shop=request.shop)
    context = {
        "shop": request.shop,
        "nav": "orders",
        "query": query,
        "tab_counts": tab_counts,
        "page": orders.orders_list(shop=request.shop, query=query, tab_counts=tab_counts),
        "stamp": orders.orders_freshness_stamp(shop=request.shop),
        "shopify_orders_url": settings.SHOPIFY_ADMIN_URL_TEMPLATE.format(shop=request.shop.handle) + "/orders/",
    }
    if request.htmx and request.htmx.target == "orders-list":
        return render(request, "dashboard/orders.html#orders-list", context)
    context.update(_summary_context(request))
    return render(request, "dashboard/orders.html", context)


def _summary_context(request: AppRequest) -> dict:
    return {
        "summary": orders.orders_summary(shop=request.shop),
        "health": orders.poll_health(shop=request.shop),
        "connection": MetaConnection.objects.filter(shop=request.shop).first(),
        "poll_state": orders.PollState.objects.filter(shop=request.shop).only("shopify_error", "channel_installed").first(),
    }


@require_GET
def orders_summary(request: AppRequest) -> HttpResponse:
    context = {"shop": request.shop, **_summary_context(request)}
    return render(request, "dashboard/orders.html#summary", context)


@require_GET
def orders_freshness(request: AppRequest) -> HttpResponse:
    """Polled by the page every few seconds: 204 while nothing changed; otherwise a new poller element
    and an og:orders-changed event, on which the list and the summary reload themselves."""
    stamp = orders.orders_freshness_stamp(shop=request.shop)
    if stamp == request.GET.get("seen"):
        return HttpResponse(status=204)
    response = render(request, "dashboard/orders.html#freshness", {"stamp": stamp})
    return trigger_client_event(response, "og:orders-changed", {})


@require_GET
def order_detail(request: AppRequest, order_id: int) -> HttpResponse:
    order = orders.order_get(shop=request.shop, order_id=order_id)
    if order is None:
        raise Http404
    context = {
        "shop": request.shop,
        "nav": "orders",
        "order": order,
        "timeline": orders.order_timeline(order=order),
        "shopify_admin_url": settings.SHOPIFY_ADMIN_URL_TEMPLATE.format(shop=request.shop.handle),
        "commerce_manager_url": settings.META_COMMERCE_MANAGER_ORDER_URL.format(cms_id=order.commerce_account_id, order_id=order.meta_order_id),
    }
    if request.htmx:
        return render(request, "dashboard/order_detail.html#drawer", context)
    return render(request, "dashboard/order_detail.html", context)


@require_POST
def orders_export(request: AppRequest) -> HttpResponse:
    """The selected orders as CSV (for a support case or a spreadsheet)."""
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()][:MAX_EXPORT]
    rows = orders.orders_by_ids(shop=request.shop, ids=ids)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["meta_order_id", "channel", "placed_at", "buyer", "amount", "currency", "status", "reason", "deadline_at", "shopify_order"])
    for order in rows:
        writer.writerow([
            order.meta_order_id, order.channel, order.meta_created_at.isoformat(), order.buyer_name,
            order.total_amount if order.total_amount is not None else "", order.currency, status_label(order.status),
            reason_text(order.reason), order.deadline_at.isoformat() if order.deadline_at else "", order.shopify_order_name,
        ])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orderguard-orders-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response


@require_GET
def shop_settings(request: AppRequest) -> HttpResponse:
    context = {"shop": request.shop, "nav": "settings", "exports": selectors.data_request_exports(shop=request.shop)[:20]}
    return render(request, "dashboard/settings.html", context)


@require_POST
def shop_sync(request: AppRequest) -> HttpResponse:
    """Fetch the shop's details from Shopify again (the shop card's refresh button)."""
    status, message, is_error = 200, _("Shop details updated from Shopify."), False
    try:
        services.shop_sync_details(shop=request.shop)
    except ShopUnavailable:
        status, message, is_error = 409, _("Shopify no longer accepts OrderGuard's access. Reopen the app from your Shopify admin."), True
    except ShopifyError:
        status, message, is_error = 502, _("Shopify did not answer. Nothing changed; try again in a minute."), True
    response = render(request, "dashboard/settings.html#shop-card", {"shop": request.shop, "sync_error": message if is_error else ""}, status=status)
    return trigger_client_event(response, "og:toast", {"message": message, "error": is_error})


@require_GET
def data_request_export(request: AppRequest, export_id: int) -> HttpResponse:
    export = selectors.data_request_export_get(shop=request.shop, export_id=export_id)
    if export is None:
        raise Http404
    response = HttpResponse(json.dumps(export.export, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="orderguard-data-request-{export.pk}.json"'
    return response
