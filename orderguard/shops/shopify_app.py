"""The app's Shopify credentials bound to `orderguard.integrations.shopify`: the HTTP client, token
exchange and refresh, ID-token and webhook verification.

With `shops/clients.py` (the Admin API client factory, built on the tokens these calls produce) this is
the only place where settings meet the Shopify integration: credentials, the API version and the
transport (the sandbox's base URL in the demo and tests) are read here and nowhere else. The integration
itself stays free of Django and of the project's models.
"""

from __future__ import annotations

from functools import lru_cache

import httpx
from django.conf import settings

from orderguard.integrations.shopify.auth import IdTokenClaims, verify_id_token, verify_webhook_signature
from orderguard.integrations.shopify.tokens import OfflineTokenGrant, exchange_id_token, refresh_offline_token
from orderguard.integrations.shopify.transport import build_http_client


@lru_cache(maxsize=1)
def shopify_http_client() -> httpx.Client:
    """One pooled HTTP client per process (thread-safe); requests to every shop share its connections."""
    return build_http_client(base_url=settings.SHOPIFY_API_BASE_URL)


def shopify_token_exchange(*, claims: IdTokenClaims) -> OfflineTokenGrant:
    """Exchange a verified ID token for an expiring offline token."""
    return exchange_id_token(
        claims=claims, client_id=settings.SHOPIFY_API_KEY, secret=settings.SHOPIFY_API_SECRET, http_client=shopify_http_client()
    )


def shopify_token_refresh(*, shop_domain: str, refresh_token: str) -> OfflineTokenGrant:
    """Trade a refresh token for a rotated token pair."""
    return refresh_offline_token(
        shop_domain=shop_domain,
        refresh_token=refresh_token,
        client_id=settings.SHOPIFY_API_KEY,
        secret=settings.SHOPIFY_API_SECRET,
        http_client=shopify_http_client(),
    )


def shopify_id_token_verify(*, token: str) -> IdTokenClaims:
    """Verify an App Bridge ID token with the app's secret (and the previous one during a rotation)."""
    return verify_id_token(
        token,
        client_id=settings.SHOPIFY_API_KEY,
        secret=settings.SHOPIFY_API_SECRET,
        previous_secret=settings.SHOPIFY_API_SECRET_PREVIOUS,
    )


def shopify_webhook_signature_valid(*, body: bytes, signature: str | None) -> bool:
    """HMAC over the raw body with the current or the previous client secret."""
    secrets = (settings.SHOPIFY_API_SECRET, settings.SHOPIFY_API_SECRET_PREVIOUS)
    return verify_webhook_signature(body, signature, secrets=secrets)
