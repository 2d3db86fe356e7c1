"""Where each fix happens: the exact page in OrderGuard, Shopify admin or Meta Commerce Manager."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from orderguard.shops.models import Shop


def app_page(name: str) -> str:
    return reverse(name)


def shopify_admin(shop: Shop, path: str) -> str:
    """A Shopify admin page (opened at the top level, outside the app's iframe)."""
    return settings.SHOPIFY_ADMIN_URL_TEMPLATE.format(shop=shop.domain.removesuffix(".myshopify.com")) + "/" + path.lstrip("/")


def commerce_manager(cms_id: str, path: str = "") -> str:
    """Commerce Manager for the account (www.facebook.com/commerce_manager/<cms_id>); the configured
    order-page address minus its order part, so the sandbox's stand-in answers locally."""
    home = settings.META_COMMERCE_MANAGER_ORDER_URL.split("/orders/", 1)[0].format(cms_id=cms_id)
    return f"{home}/{path.lstrip('/')}" if path else home


def channel(shop: Shop, launch_url: str = "") -> str:
    """The Facebook & Instagram channel in Shopify admin: its launchUrl when Shopify gave one."""
    return launch_url or shopify_admin(shop, "apps/facebook")
