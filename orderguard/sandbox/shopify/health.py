"""The sandbox Admin API for the health checks: the Facebook & Instagram channel app and its
installation (`app`), the app catalogs' publications, a variant on a publication (`productVariant`),
delivery profiles and the Shopify Payments account.

The channel app is installed when the shop's facebook_channel_installed is set; its launchUrl opens the
sandbox admin's channel page (where the merchant can reconnect it). Its publication exists while it is
installed; a variant's product is published to it unless SandboxShopHealth lists the variant.
"""

from __future__ import annotations

import re

from django.conf import settings
from graphql import GraphQLError

from orderguard.sandbox.health_models import SandboxShopHealth
from orderguard.sandbox.meta import shopify_channel
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify import drafts  # attributes read at call time: drafts imports resolvers too
from orderguard.sandbox.shopify.health_shop import shipping
from orderguard.sandbox.shopify.resolvers import root_field

CHANNEL_APP_GID = f"gid://shopify/App/{shopify_channel.APP_ID}"
CHANNEL_APP_HANDLE = "facebook"
VARIANT_GID = re.compile(r"^gid://shopify/ProductVariant/(\d+)$")


def publication_gid(shop: SandboxShop) -> str:
    return f"gid://shopify/Publication/{shop.numeric_id + 7}"


def channel_launch_url(shop: SandboxShop) -> str:
    return f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/{shop.handle}/apps/{CHANNEL_APP_HANDLE}"


@root_field("app")
def app(shop: SandboxShop, id: str | None = None) -> dict | None:
    if id != CHANNEL_APP_GID:
        return None
    installation = None
    if shop.facebook_channel_installed:
        installation = {"__typename": "AppInstallation", "id": f"gid://shopify/AppInstallation/{shop.numeric_id + 1}", "launchUrl": channel_launch_url(shop)}
    return {
        "__typename": "App",
        "id": CHANNEL_APP_GID,
        "title": "Facebook & Instagram",
        "handle": CHANNEL_APP_HANDLE,
        "installation": installation,
        "feedback": None,
    }


@root_field("publications")
def publications(shop: SandboxShop, first=None, last=None, catalogType=None, **_ignored) -> dict:
    nodes = []
    if shop.facebook_channel_installed and catalogType in (None, "APP"):
        nodes.append({
            "__typename": "Publication",
            "id": publication_gid(shop),
            "autoPublish": True,
            "catalog": {
                "__typename": "AppCatalog",
                "title": "Facebook & Instagram",
                "status": "ACTIVE",
                "apps": {"__typename": "AppConnection", "nodes": [{"__typename": "App", "id": CHANNEL_APP_GID, "title": "Facebook & Instagram", "handle": CHANNEL_APP_HANDLE}]},
            },
        })
    return {"__typename": "PublicationConnection", "nodes": nodes, "pageInfo": {"__typename": "PageInfo", "hasNextPage": False, "hasPreviousPage": False}}


@root_field("productVariant")
def product_variant(shop: SandboxShop, id: str) -> dict | None:
    drafts._require_scope(shop, "read_products")
    match = VARIANT_GID.match(str(id))
    variant = shop.variants.filter(numeric_id=int(match.group(1))).first() if match else None
    if variant is None:
        return None
    health = SandboxShopHealth.objects.filter(shop=shop).first()
    unpublished = set(health.unpublished_variant_ids) if health else set()
    node = drafts.variant_node(variant)
    node["inventoryPolicy"] = "DENY"

    def published_on(info, publicationId: str) -> bool:
        return shop.facebook_channel_installed and publicationId == publication_gid(shop) and variant.numeric_id not in unpublished

    node["product"] = {**node["product"], "publishedOnPublication": published_on}
    return node


@root_field("deliveryProfiles")
def delivery_profiles(shop: SandboxShop, first=None, last=None, **_ignored) -> dict:
    drafts._require_scope(shop, "read_shipping")
    countries, rest = shipping(shop)
    codes = [{"__typename": "DeliveryCountry", "code": {"__typename": "DeliveryCountryCodeOrRestOfWorld", "countryCode": code, "restOfWorld": False}} for code in countries]
    if rest:
        codes.append({"__typename": "DeliveryCountry", "code": {"__typename": "DeliveryCountryCodeOrRestOfWorld", "countryCode": None, "restOfWorld": True}})
    zone = {
        "__typename": "DeliveryLocationGroupZone",
        "zone": {"__typename": "DeliveryZone", "id": f"gid://shopify/DeliveryZone/{shop.numeric_id}", "name": "Shipping", "countries": codes},
        "methodDefinitions": {"__typename": "DeliveryMethodDefinitionConnection", "nodes": [
            {"__typename": "DeliveryMethodDefinition", "id": f"gid://shopify/DeliveryMethodDefinition/{shop.numeric_id}", "name": "Standard", "active": True}]},
    }
    profile = {
        "__typename": "DeliveryProfile",
        "id": f"gid://shopify/DeliveryProfile/{shop.numeric_id}",
        "name": "General profile",
        "default": True,
        "activeMethodDefinitionsCount": 1,
        "locationsWithoutRatesCount": 0,
        "zoneCountryCount": len(codes),
        "profileLocationGroups": [{"__typename": "DeliveryProfileLocationGroup", "locationGroupZones": {
            "__typename": "DeliveryLocationGroupZoneConnection", "nodes": [zone] if codes else []}}],
    }
    return {"__typename": "DeliveryProfileConnection", "nodes": [profile]}


@root_field("shopifyPaymentsAccount")
def shopify_payments_account(shop: SandboxShop) -> dict | None:
    granted = {scope.strip() for scope in shop.granted_scopes.split(",")}
    if not granted & {"read_shopify_payments", "read_shopify_payments_accounts"}:
        raise GraphQLError(
            "Access denied for shopifyPaymentsAccount field. Required access: `read_shopify_payments` access scope.",
            extensions={"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes"},
        )
    health = SandboxShopHealth.objects.filter(shop=shop).first()
    active = health.shopify_payments_active if health else True
    return {"__typename": "ShopifyPaymentsAccount", "id": f"gid://shopify/ShopifyPaymentsAccount/{shop.numeric_id}",
            "activated": active, "onboardable": not active, "country": "US", "defaultCurrency": shop.currency_code}
