"""Data behind the sandbox's Admin GraphQL API, for the fields OrderGuard reads.

graphql-core resolves a field from a dict key; a callable value is called with (info, **arguments).
The root value is built per request from the sandbox shop. Fields outside this map resolve to null, as
Shopify returns null for data an app cannot see.
"""

from __future__ import annotations

from collections.abc import Callable

from orderguard.sandbox.models import SandboxShop

RootField = Callable[..., object]
_root_fields: dict[str, Callable[[SandboxShop], object]] = {}


def root_field(name: str):
    """Register `fn(shop) -> value` as the resolver of Query.<name>."""

    def decorator(fn):
        _root_fields[name] = fn
        return fn

    return decorator


def root_value(shop: SandboxShop) -> dict:
    return {name: _lazy(fn, shop) for name, fn in _root_fields.items()}


def _lazy(fn, shop):
    return lambda info, **arguments: fn(shop, **arguments) if arguments else fn(shop)


@root_field("shop")
def shop_object(shop: SandboxShop) -> dict:
    return {
        "__typename": "Shop",
        "id": f"gid://shopify/Shop/{shop.numeric_id}",
        "name": shop.name,
        "email": shop.email,
        "contactEmail": shop.email,
        "currencyCode": shop.currency_code,
        "myshopifyDomain": shop.domain,
        "ianaTimezone": shop.iana_timezone,
        "primaryDomain": {
            "__typename": "Domain",
            "id": f"gid://shopify/Domain/{shop.numeric_id}",
            "url": shop.primary_domain_url or f"https://{shop.domain}",
            "host": (shop.primary_domain_url or f"https://{shop.domain}").split("://", 1)[-1],
        },
        "url": f"https://{shop.domain}",
    }


@root_field("currentAppInstallation")
def current_app_installation(shop: SandboxShop) -> dict:
    return {"__typename": "AppInstallation", "id": f"gid://shopify/AppInstallation/{shop.numeric_id}"}
