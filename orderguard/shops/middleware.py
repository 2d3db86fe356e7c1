"""App-home authentication: every request under /app carries an App Bridge ID token, as Shopify requires.

- Document requests (a page load inside the admin iframe) carry it in the `id_token` query parameter.
  Without one, or with a stale one, they are sent to the bounce page, where App Bridge fetches a fresh
  token and reloads the page (`shopify-reload`).
- htmx/fetch requests carry `Authorization: Bearer <token>`. Without a valid one they get 401 with
  `X-Shopify-Retry-Invalid-Session-Request: 1`, and the client retries once with a fresh token.

The shop comes from the verified token's `dest` claim only, never from a query parameter. The first
request from a shop installs it (token exchange; see shops.services.shop_session_start).

CSRF, deliberately: the app does not use cookies inside the iframe (third-party cookies are unreliable
there and Shopify forbids relying on them). The credential is the ID token, which a browser never attaches
on its own: a cross-site page cannot send an Authorization header, and cannot read a token to put in a
URL. So authenticated app requests skip Django's cookie-based CSRF check, and any unsafe request (POST,
PUT, PATCH, DELETE) must carry the token in the Authorization header; a token in the query string only
authenticates GET and HEAD page loads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from orderguard.shops.exceptions import ShopifyUnavailable, ShopSessionInvalid
from orderguard.shops.services import shop_session_start

logger = logging.getLogger(__name__)

APP_PATH_PREFIX = "/app"
BOUNCE_PATH = "/auth/patch-id-token"
RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"


def is_app_path(path: str) -> bool:
    return path == APP_PATH_PREFIX or path.startswith(APP_PATH_PREFIX + "/")


class ShopifyAppAuthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_app_path(request.path):
            return self.get_response(request)

        authorization = request.headers.get("Authorization")
        # htmx requests are fetches even when our script could not attach a token: never bounce them.
        is_document = authorization is None and not request.headers.get("HX-Request")
        if authorization is not None:
            if not authorization.startswith("Bearer "):
                return _retry_response()
            token = authorization.removeprefix("Bearer ").strip()
        elif not is_document or request.method not in ("GET", "HEAD"):
            return _retry_response()
        else:
            token = request.GET.get("id_token", "")
            if not token:
                return _bounce(request)

        try:
            session = shop_session_start(id_token=token)
        except ShopSessionInvalid as error:
            logger.info("Refused an ID token (%s) for %s", error.detail, request.path)
            return _bounce(request) if is_document else _retry_response()
        except ShopifyUnavailable as error:
            logger.warning("Token exchange failed (%s)", error.detail)
            return render(request, "shops/shopify_unreachable.html", status=503)

        shop = session.shop
        request.shop = shop
        request.id_token_claims = session.claims
        request.frame_ancestors = [f"https://{shop.domain}", *settings.SHOPIFY_ADMIN_ORIGINS]
        request._dont_enforce_csrf_checks = True  # see the module docstring
        return self.get_response(request)


def _retry_response() -> HttpResponse:
    response = HttpResponse("Unauthorized", status=401, content_type="text/plain")
    response[RETRY_HEADER] = "1"
    return response


def _bounce(request: HttpRequest) -> HttpResponse:
    """Send a page load to the bounce page, which gets a fresh ID token and comes back."""
    query = request.GET.copy()
    query.pop("id_token", None)
    reload_path = request.path + (f"?{query.urlencode()}" if query else "")
    params = {key: value for key, value in query.items() if key in ("shop", "host", "embedded", "locale")}
    params["shopify-reload"] = reload_path
    return HttpResponseRedirect(f"{BOUNCE_PATH}?{urlencode(params)}")
