"""The Shopify Admin API client factory: the one way the project gets a client for a shop.

Settings meet `orderguard.integrations.shopify` only here and in `shops/shopify_app.py` (the app's
credentials), so every feature builds its client the same way.
"""

from __future__ import annotations

from django.conf import settings

from orderguard.core.platform_signals import platform_signal_listener
from orderguard.integrations.shopify.client import ShopifyAdminClient
from orderguard.shops.models import Shop
from orderguard.shops.shopify_app import shopify_http_client
from orderguard.shops.tokens import shop_access_token


def shopify_admin_client(*, shop: Shop) -> ShopifyAdminClient:
    """An Admin GraphQL client for `shop` with a fresh access token. Raises ShopUnavailable."""
    return ShopifyAdminClient(
        shop_domain=shop.domain,
        access_token=shop_access_token(shop=shop),
        api_version=settings.SHOPIFY_API_VERSION,
        http_client=shopify_http_client(),
        # A response's X-Shopify-API-Deprecated-Reason becomes a notice on the shop's settings page.
        on_deprecation=platform_signal_listener(shop_id=shop.pk, platform="shopify"),
    )
