"""The demo's shop, seeded into the sandbox platforms."""

from orderguard.sandbox.models import SandboxShop

DEMO_SHOP_DOMAIN = "maple-and-moss.myshopify.com"


def seed_demo() -> SandboxShop:
    shop, _ = SandboxShop.objects.update_or_create(
        domain=DEMO_SHOP_DOMAIN,
        defaults={
            "name": "Maple & Moss Outfitters",
            "email": "hello@mapleandmoss.example",
            "currency_code": "USD",
            "iana_timezone": "America/New_York",
            "primary_domain_url": "https://mapleandmoss.example",
            "plan_name": "Basic",
        },
    )
    return shop
