"""The demo: the Maple & Moss scenario in the sandbox platforms, and the shop installed and connected in
the app through the same paths a merchant's browser takes (token exchange, Meta token validation)."""

from __future__ import annotations

from django.db import transaction

from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.services import meta_connection_connect
from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaToken
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.scenarios.loader import LoadResult, load_file
from orderguard.sandbox.shopify.id_tokens import mint_id_token
from orderguard.shops.compliance import shop_foreign_keys
from orderguard.shops.models import Shop
from orderguard.shops.services import shop_authenticate
from orderguard.shops.shopify_app import shopify_id_token_verify

DEMO_SHOP_DOMAIN = "maple-and-moss.myshopify.com"
DEMO_SCENARIO = "demo"


def demo_load(*, reset: bool = False) -> LoadResult | None:
    """Load the demo scenario the first time (or again with reset). Returns None when already loaded."""
    if not reset and SandboxShop.objects.filter(domain=DEMO_SHOP_DOMAIN).exists():
        return None
    return load_file(DEMO_SCENARIO)


def demo_app_forget() -> dict[str, int]:
    """After the scenario is (re)loaded, the app forgets what it knew of the demo shop: every shop-scoped
    row (orders, Shopify orders, poll state, remedies, alerts, the Meta connection, its token), all but
    the Shop row itself. The install then exchanges a token again, connects Meta, and the first poll
    refills the page from the fresh scenario (else the page kept the previous orders, and its Shopify
    links pointed at orders the sandbox no longer has)."""
    shop = Shop.objects.filter(domain=DEMO_SHOP_DOMAIN).first()
    forgotten: dict[str, int] = {}
    if shop is None:
        return forgotten
    with transaction.atomic():
        for model, fk in shop_foreign_keys():
            count, _ = model._base_manager.filter(**{fk.name: shop}).delete()
            if count:
                forgotten[model._meta.label] = forgotten.get(model._meta.label, 0) + count
    return forgotten


def demo_install_and_connect() -> Shop:
    """Install the app on the demo shop (token exchange against the running sandbox) and connect its Meta
    commerce account with the scenario's system-user token. Idempotent; needs the web server running."""
    SandboxShop.objects.filter(domain=DEMO_SHOP_DOMAIN).update(app_installed=True, granted_scopes=app_toml_scopes())
    claims = shopify_id_token_verify(token=mint_id_token(shop_domain=DEMO_SHOP_DOMAIN))
    shop = shop_authenticate(claims=claims)
    if not MetaConnection.objects.filter(shop=shop).exists():
        account = MetaCommerceAccount.objects.get(shopify_shop__domain=DEMO_SHOP_DOMAIN)
        tokens = MetaToken.objects.filter(kind=MetaToken.Kind.SYSTEM_USER, is_valid=True).order_by("pk")
        token = next(token for token in tokens if account.id in token.target_ids)
        meta_connection_connect(
            shop=shop, commerce_account_id=account.id, access_token=token.value, source=MetaConnection.Source.OPERATOR
        )
    return shop
