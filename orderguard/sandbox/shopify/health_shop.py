"""The Shop fields the health checks read (shipsToCountries, countriesInShippingZones, shopAddress,
plan, currencies), from the shop and its SandboxShopHealth row (none: ships everywhere)."""

from __future__ import annotations

from orderguard.sandbox.health_models import SandboxShopHealth
from orderguard.sandbox.models import SandboxShop

# A US shop unless the scenario says otherwise (checkout on Facebook/Instagram was US-only).
DEFAULT_COUNTRY = "US"


def shipping(shop: SandboxShop) -> tuple[list[str], bool]:
    """(countries with a rate, ships to the rest of the world)."""
    health = SandboxShopHealth.objects.filter(shop=shop).first()
    if health is None:
        return [], True
    return sorted(health.ships_to_countries), health.ships_rest_of_world


def shop_fields(shop: SandboxShop) -> dict:
    countries, rest = shipping(shop)
    return {
        "enabledPresentmentCurrencies": [shop.currency_code],
        "shopAddress": {"__typename": "ShopAddress", "id": f"gid://shopify/ShopAddress/{shop.numeric_id}", "countryCodeV2": DEFAULT_COUNTRY, "provinceCode": None},
        "shipsToCountries": countries or [DEFAULT_COUNTRY],
        "countriesInShippingZones": {"__typename": "CountriesInShippingZones", "countryCodes": countries, "includeRestOfWorld": rest},
        "plan": {"__typename": "ShopPlan", "publicDisplayName": shop.plan_name, "partnerDevelopment": False, "shopifyPlus": False},
        "paymentSettings": {"__typename": "PaymentSettings", "supportedDigitalWallets": []},
    }
