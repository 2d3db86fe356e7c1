"""Test helpers: sandbox shops, ID tokens (valid and forged), signed webhooks."""

from __future__ import annotations

import time
import uuid

import jwt
from django.conf import settings

from orderguard.integrations.shopify.client import ShopifyAdminClient
from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify import tokens as sandbox_tokens
from orderguard.shops.shopify_app import shopify_http_client

SHOP_A = "alpha-goods.myshopify.com"
SHOP_B = "bravo-supply.myshopify.com"


def make_sandbox_shop(domain: str = SHOP_A, *, name: str = "Alpha Goods", currency: str = "EUR", installed: bool = True) -> SandboxShop:
    shop, _ = SandboxShop.objects.update_or_create(
        domain=domain,
        defaults={
            "name": name,
            "currency_code": currency,
            "app_installed": installed,
            "granted_scopes": app_toml_scopes() if installed else "",
        },
    )
    return shop


def id_token_claims(shop_domain: str = SHOP_A, **overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": settings.SHOPIFY_API_KEY,
        "sub": "42",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def make_id_token(shop_domain: str = SHOP_A, *, secret: str | None = None, algorithm: str = "HS256", **overrides) -> str:
    """An ID token as App Bridge would mint it; pass a claim as None to leave it out."""
    return jwt.encode(id_token_claims(shop_domain, **overrides), secret or settings.SHOPIFY_API_SECRET, algorithm=algorithm)


def open_app(client, shop_domain: str = SHOP_A, path: str = "/app/", **params):
    """A page load inside Shopify admin: a document request with the ID token in the query string."""
    query = {"embedded": "1", "shop": shop_domain, "host": "YWRtaW4uc2hvcGlmeS5jb20", "id_token": make_id_token(shop_domain)}
    query.update(params)
    return client.get(path, query)


def bearer(shop_domain: str = SHOP_A, **claims) -> dict:
    """Headers of an htmx/fetch request from the app's frame."""
    return {"Authorization": f"Bearer {make_id_token(shop_domain, **claims)}", "HX-Request": "true"}


def sandbox_calls(operation: str, account: str | None = None) -> int:
    from orderguard.sandbox.models import SandboxCall

    calls = SandboxCall.objects.filter(operation=operation)
    if account is not None:
        calls = calls.filter(account=account)
    return calls.count()


def database_url(alias: str = "default") -> str:
    """A URL for the database this test run really uses (the test database), for worker processes."""
    from django.db import connections

    config = connections[alias].settings_dict
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{config['NAME']}"
    user = config.get("USER") or ""
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{config.get('HOST') or '127.0.0.1'}:{config.get('PORT') or 5432}/{config['NAME']}"


def sandbox_admin_client(shop: SandboxShop) -> ShopifyAdminClient:
    """An Admin API client for a sandbox shop with a freshly issued token (no app install needed)."""
    shop = SandboxShop.objects.get(pk=shop.pk)
    return ShopifyAdminClient(
        shop_domain=shop.domain,
        access_token=sandbox_tokens._issue(shop, expiring=True)["access_token"],
        api_version=settings.SHOPIFY_API_VERSION,
        http_client=shopify_http_client(),
        sleep=lambda seconds: None,
    )


def broker_queues_emptied() -> int:
    """Drop what earlier tests left on the broker's queues (Redis or the broker folder outlive a test), so a
    worker process started now sees only this test's tasks. Returns how many messages were dropped."""
    from orderguard.celery import app
    from orderguard.core.tasks import QUEUES

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        return sum(channel.queue_purge(queue) or 0 for queue in QUEUES)
