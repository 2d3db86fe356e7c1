"""The scenario keys the health checks read (docs/sandbox-scenarios.md, "health"): the shop's shipping
zones and Shopify Payments, its product variants and which are off the Facebook & Instagram channel, and
the status of each commerce account's Facebook and Instagram sales channels on Meta.

    "health": {
      "shipping_countries": ["US", "CA"],      # omitted: ships to the rest of the world
      "shopify_payments": false,               # omitted: active
      "variants": [{"id": 44100000000001, "sku": "LK-MUG", "title": "Lake Mug", "price": "18.00",
                    "inventory": 5, "published": true}],
      "sales_channels": {"<cms id>": {"facebook": "DISABLED", "instagram": "ENABLED"}}
    }
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from orderguard.sandbox.health_models import MetaSalesChannels, SandboxShopHealth
from orderguard.sandbox.meta.models import MetaCommerceAccount
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify.draft_models import SandboxProductVariant


class HealthScenarioError(ValueError):
    pass


def load_health(spec, *, shop: SandboxShop, accounts: dict[str, MetaCommerceAccount]) -> None:
    SandboxShopHealth.objects.filter(shop=shop).delete()
    if spec is None:
        return
    if not isinstance(spec, dict):
        raise HealthScenarioError("health: an object")
    countries = spec.get("shipping_countries")
    if countries is not None and not (isinstance(countries, list) and all(isinstance(c, str) and len(c) == 2 for c in countries)):
        raise HealthScenarioError("health.shipping_countries: a list of two-letter country codes")
    unpublished = []
    for index, variant in enumerate(spec.get("variants", [])):
        where = f"health.variants[{index}]"
        if not isinstance(variant, dict) or not str(variant.get("id", "")).isdigit():
            raise HealthScenarioError(f"{where}: an object with a numeric id")
        numeric_id = int(variant["id"])
        try:
            price = Decimal(str(variant.get("price", "10.00")))
        except InvalidOperation:
            raise HealthScenarioError(f"{where}.price: {variant.get('price')!r} is not an amount") from None
        SandboxProductVariant.objects.update_or_create(numeric_id=numeric_id, defaults={
            "shop": shop, "product_numeric_id": int(variant.get("product_id", numeric_id - 1_000_000)),
            "product_title": str(variant.get("title", f"Product {numeric_id}")), "sku": str(variant.get("sku", "")),
            "price": price, "inventory_quantity": int(variant.get("inventory", 10)),
            "product_status": str(variant.get("status", "ACTIVE")),
        })
        if variant.get("published", True) is False:
            unpublished.append(numeric_id)
    SandboxShopHealth.objects.create(
        shop=shop,
        ships_to_countries=sorted(countries or []),
        ships_rest_of_world=countries is None,
        shopify_payments_active=bool(spec.get("shopify_payments", True)),
        unpublished_variant_ids=unpublished,
    )
    for account_id, channels in (spec.get("sales_channels") or {}).items():
        account = accounts.get(str(account_id))
        if account is None:
            raise HealthScenarioError(f"health.sales_channels: no account {account_id!r} in the scenario")
        statuses = {name: str(channels.get(name, "ENABLED")) for name in ("facebook", "instagram")}
        for name, status in statuses.items():
            if status not in MetaSalesChannels.Status.values:
                raise HealthScenarioError(f"health.sales_channels.{account_id}.{name}: one of {MetaSalesChannels.Status.values}")
        MetaSalesChannels.objects.update_or_create(account=account, defaults=statuses)
