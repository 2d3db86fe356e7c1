"""The embedded app's pages (htmx views only): call selectors/services, render a page or a partial.

Every view here sits under /app, so the auth middleware has verified the ID token and set request.shop;
every query is scoped by that shop.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from orderguard.core.http import AppRequest
from orderguard.integrations.shopify.errors import ShopifyError
from orderguard.shops import selectors, services
from orderguard.shops.exceptions import ShopUnavailable


@require_GET
def home(request: AppRequest) -> HttpResponse:
    context = {"shop": request.shop, "exports": selectors.data_request_exports(shop=request.shop)[:20]}
    return render(request, "dashboard/home.html", context)


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
    response = render(request, "dashboard/home.html#shop-card", {"shop": request.shop, "sync_error": message if is_error else ""}, status=status)
    return trigger_client_event(response, "og:toast", {"message": message, "error": is_error})


@require_GET
def data_request_export(request: AppRequest, export_id: int) -> HttpResponse:
    export = selectors.data_request_export_get(shop=request.shop, export_id=export_id)
    if export is None:
        raise Http404
    response = HttpResponse(json.dumps(export.export, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="orderguard-data-request-{export.pk}.json"'
    return response
