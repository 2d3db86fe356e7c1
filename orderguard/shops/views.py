"""Public pages of the app: the bounce page, the landing page and a health probe."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def patch_id_token(request: HttpRequest) -> HttpResponse:
    """The bounce page: only App Bridge, which fetches a fresh ID token and reloads `shopify-reload`.

    It runs inside Shopify admin's frame before the shop is verified, so it may be framed by Shopify
    admin only, not by a shop named in the query string.
    """
    reload_path = request.GET.get("shopify-reload", "")
    if not reload_path.startswith("/") or reload_path.startswith("//") or "\\" in reload_path:
        return HttpResponseBadRequest("shopify-reload must be a path of this app")
    request.frame_ancestors = list(settings.SHOPIFY_ADMIN_ORIGINS)
    return render(request, "shops/patch_id_token.html", {"reload_path": reload_path})


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """Outside Shopify admin: say where the app lives."""
    return render(request, "shops/landing.html", {"sandbox_enabled": settings.SANDBOX_ENABLED})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
