"""Public pages of the app: the bounce page, the landing page and a health probe."""

from __future__ import annotations

from urllib.parse import unquote, urlencode, urlsplit

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

APP_HOME = "/app/"
# The bounce page's other parameters, kept when it falls back to the app's home.
BOUNCE_PARAMS = ("shop", "host", "embedded", "locale")


def is_own_path(value: str) -> bool:
    """A path of this app's origin and nothing else: one leading "/", then neither "/" nor "\\" (a
    browser reads "//x" and "/\\x" as another host), no backslash, no control character anywhere (browsers
    drop tab and newline, so "/<tab>/x" would read as "//x"); and its path the same once more decoded."""
    if not _plain_path(value):
        return False
    parts = urlsplit(value)  # cannot raise: a value starting with one "/" has no host part
    return not parts.scheme and not parts.netloc and _plain_path(unquote(parts.path))


def _plain_path(value: str) -> bool:
    return (
        value.startswith("/")
        and value[1:2] != "/"
        and "\\" not in value
        and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in value)
    )


@require_GET
def patch_id_token(request: HttpRequest) -> HttpResponse:
    """The bounce page: only App Bridge, which fetches a fresh ID token and reloads `shopify-reload`.

    It runs inside Shopify admin's frame before the shop is verified, so it may be framed by Shopify
    admin only, not by a shop named in the query string.
    """
    if not is_own_path(request.GET.get("shopify-reload", "")):
        # App Bridge reloads the `shopify-reload` of the page's own URL: fall back to the app's home.
        params = {key: request.GET[key] for key in BOUNCE_PARAMS if key in request.GET}
        return HttpResponseRedirect(f"{reverse('patch-id-token')}?{urlencode({**params, 'shopify-reload': APP_HOME})}")
    request.frame_ancestors = list(settings.SHOPIFY_ADMIN_ORIGINS)
    return render(request, "shops/patch_id_token.html")


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """Outside Shopify admin: say where the app lives."""
    return render(request, "shops/landing.html", {"sandbox_enabled": settings.SANDBOX_ENABLED})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
