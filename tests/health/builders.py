"""A shop on a health scenario (orderguard/sandbox/scenarios/health/<name>.json), installed through the app,
its Meta connection stored as it was when the merchant connected (before the scenario's problem began:
an expired token cannot be connected, but a connected token can expire), and polled once."""

from __future__ import annotations

from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.polling import poll_shop
from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.scenarios import SCENARIOS_DIR
from orderguard.sandbox.scenarios.loader import load_file
from orderguard.shops.models import Shop
from tests.helpers import open_app

HEALTH_SHOP = "lakeside-goods.myshopify.com"
HEALTH_CMS = "781300000000101"


def health_shop(client, scenario: str, *, poll: bool = True, extra_scopes: str = "") -> Shop:
    result = load_file(SCENARIOS_DIR / "health" / f"{scenario}.json")
    scopes = app_toml_scopes() + (f",{extra_scopes}" if extra_scopes else "")
    SandboxShop.objects.filter(domain=result.shop).update(app_installed=True, granted_scopes=scopes)
    assert open_app(client, result.shop).status_code == 200
    shop = Shop.objects.get(domain=result.shop)
    token = result.tokens[0]
    MetaConnection.objects.update_or_create(shop=shop, defaults={
        "status": MetaConnection.Status.CONNECTED, "source": MetaConnection.Source.OPERATOR,
        "commerce_account_id": token.accounts[0], "commerce_account_name": "Lakeside Goods", "access_token": token.value,
        "token_type": token.kind, "scopes": ",".join(token.scopes), "connected_at": timezone.now(),
    })
    if poll:
        poll_shop(shop=shop)
    return shop
