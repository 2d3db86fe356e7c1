"""Links in alerts open OrderGuard inside the shop's Shopify admin (admin.shopify.com/store/<shop>/apps/...)."""

from __future__ import annotations

from orderguard.shops.models import Shop

APP_PATH = "apps/orderguard"


def app_link(*, shop: Shop, path: str = "") -> str:
    """The app's page `path` (as under /app/), opened in the shop's admin."""
    return shop.admin_url(f"{APP_PATH}/{path.lstrip('/')}")
