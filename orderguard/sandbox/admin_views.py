"""A stand-in of Shopify admin: it frames the app, installs it on first open (managed installation) and
plays App Bridge's host side (minting ID tokens, showing toasts, the app's nav menu)."""

from __future__ import annotations

import base64
import json
import tomllib
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify import tokens, webhooks
from orderguard.sandbox.shopify.id_tokens import mint_id_token

LOCALES = (("en", "English"), ("nl", "Nederlands"))


@lru_cache(maxsize=1)
def _app_toml_access_scopes() -> dict:
    with open(settings.BASE_DIR / "shopify.app.toml", "rb") as file:
        return tomllib.load(file)["access_scopes"]


def app_toml_scopes() -> str:
    """The scopes the app asks for in shopify.app.toml: what managed installation grants."""
    return _app_toml_access_scopes()["scopes"]


def app_toml_optional_scopes() -> list[str]:
    """The optional scopes the app may ask the merchant for later (App Bridge's scopes.request)."""
    return list(_app_toml_access_scopes().get("optional_scopes", []))


def _scopes_after_install(shop: SandboxShop) -> str:
    """Managed installation grants the toml's scopes; optional scopes the merchant approved stay granted."""
    required = [scope.strip() for scope in app_toml_scopes().split(",") if scope.strip()]
    kept = [scope for scope in shop.granted_scopes.split(",") if scope in app_toml_optional_scopes() and scope not in required]
    return ",".join(required + kept)


def _shop(handle: str) -> SandboxShop:
    shop = SandboxShop.objects.filter(domain=f"{handle}.myshopify.com").first()
    if shop is None:
        raise Http404("No such sandbox shop")
    return shop


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "sandbox/admin_index.html", {"shops": SandboxShop.objects.order_by("domain")})


@require_GET
def app_page(request: HttpRequest, handle: str, subpath: str = "") -> HttpResponse:
    """admin.shopify.com/store/<handle>/apps/orderguard/<subpath>: the app in an iframe."""
    shop = _shop(handle)
    if not shop.app_installed or shop.granted_scopes != _scopes_after_install(shop):
        shop.app_installed = True
        shop.granted_scopes = _scopes_after_install(shop)
        shop.save(update_fields=["app_installed", "granted_scopes"])
    locale = request.GET.get("locale", "en")
    if locale not in dict(LOCALES):
        locale = "en"
    host = base64.urlsafe_b64encode(f"admin.shopify.com/store/{handle}".encode()).decode().rstrip("=")
    query = urlencode({
        "embedded": "1",
        "shop": shop.domain,
        "host": host,
        "locale": locale,
        "id_token": mint_id_token(shop_domain=shop.domain),
    })
    app_path = "/app/" + subpath.lstrip("/")
    response = render(request, "sandbox/admin_app.html", {
        "shop": shop,
        "iframe_src": f"{settings.APP_URL}{app_path}?{query}",
        "app_origin": settings.APP_URL,
        "locale": locale,
        "locales": LOCALES,
        "id_token_url": reverse("sandbox:admin-id-token", args=[handle]),
        "scopes_request_url": reverse("sandbox:admin-scopes-request", args=[handle]),
    })
    # Shopify admin lets apps open popups (Facebook Login, for one) that keep their window.opener.
    response["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
    return response


@csrf_exempt  # sandbox only: the admin page's own script asks for tokens
@require_POST
def id_token(request: HttpRequest, handle: str) -> JsonResponse:
    shop = _shop(handle)
    if not shop.app_installed:
        return JsonResponse({"error": "The app is not installed"}, status=409)
    return JsonResponse({"idToken": mint_id_token(shop_domain=shop.domain)})


@csrf_exempt  # sandbox only: the admin page's own script answers App Bridge's scopes.request
@require_POST
def scopes_request(request: HttpRequest, handle: str) -> JsonResponse:
    """The merchant approved optional scopes in the admin's grant dialog: grant those the toml declares as
    optional (anything else is declined, as Shopify refuses scopes the app did not declare), then send
    app/scopes_update. Answers in App Bridge's ScopesRequestResponse shape."""
    shop = _shop(handle)
    try:
        asked = json.loads(request.body or b"{}").get("scopes") or []
    except (ValueError, AttributeError, RecursionError):
        return JsonResponse({"error": "Send {\"scopes\": [...]}"}, status=400)
    if not isinstance(asked, list) or not shop.app_installed:
        return JsonResponse({"error": "Nothing to grant"}, status=400)
    allowed = set(app_toml_optional_scopes())
    grantable = [str(scope) for scope in asked if str(scope) in allowed]
    declined = [str(scope) for scope in asked if str(scope) not in allowed]
    previous = [scope for scope in shop.granted_scopes.split(",") if scope]
    current = tokens.optional_scopes_grant(shop=shop, scopes=grantable).split(",")
    if current != previous:
        payload = webhooks.for_shop(webhooks.example_payload("app/scopes_update"), shop.domain)
        payload.update(previous=previous, current=current)
        webhooks.deliver(webhooks.sign(topic="app/scopes_update", shop_domain=shop.domain, payload=payload))
    result = "granted-all" if grantable and not declined else "declined-all"
    return JsonResponse({"result": result, "detail": {"granted": grantable, "declined": declined}})


@csrf_exempt
@require_POST
def uninstall(request: HttpRequest, handle: str) -> HttpResponse:
    """Uninstall the app as Shopify does: revoke its tokens, then send app/uninstalled."""
    shop = _shop(handle)
    tokens.revoke_all(shop)
    shop.app_installed = False
    shop.save(update_fields=["app_installed"])
    payload = webhooks.for_shop(webhooks.example_payload("app/uninstalled"), shop.domain)
    payload.update(name=shop.name, myshopify_domain=shop.domain, domain=shop.domain)
    webhooks.deliver(webhooks.sign(topic="app/uninstalled", shop_domain=shop.domain, payload=payload))
    return redirect("sandbox:admin-index")


@require_GET
def app_bridge_js(request: HttpRequest) -> HttpResponse:
    """The App Bridge stand-in script, served where the app's settings point SHOPIFY_APP_BRIDGE_URL."""
    response = render(request, "sandbox/app-bridge.js", {"admin_origin": settings.SANDBOX_ADMIN_URL}, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def shopify_order_page(request: HttpRequest, handle: str, numeric_id: int) -> HttpResponse:
    """admin.shopify.com/store/<handle>/orders/<id>: where the app's links to Shopify orders land."""
    from orderguard.sandbox.models import SandboxShopifyOrder

    shop = _shop(handle)
    order = SandboxShopifyOrder.objects.filter(shop=shop, numeric_id=numeric_id).first()
    if order is None:
        raise Http404("No such order in this sandbox shop")
    return render(request, "sandbox/admin_order.html", {"shop": shop, "order": order})


@require_GET
def commerce_manager_order_page(request: HttpRequest, cms_id: str, order_id: str) -> HttpResponse:
    """Meta Commerce Manager's order page, played by the sandbox (the app's "Open in Commerce Manager")."""
    from orderguard.sandbox.meta.models import MetaOrder

    order = MetaOrder.objects.filter(pk=order_id, account_id=cms_id).select_related("account").first()
    if order is None:
        raise Http404("No such order in this commerce account")
    return render(request, "sandbox/commerce_manager_order.html", {"order": order})
