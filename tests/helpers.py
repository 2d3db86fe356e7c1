"""Test helpers: sandbox shops, ID tokens (valid and forged), signed webhooks."""

from __future__ import annotations

import time
import uuid

import jwt
from django.conf import settings

from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.models import SandboxShop

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
