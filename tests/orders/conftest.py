"""A shop on a loaded sandbox scenario, installed through the app and connected to its Meta account."""

from __future__ import annotations

import pytest

from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.services import meta_connection_connect
from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.scenarios.loader import load_file
from orderguard.shops.models import Shop
from tests.helpers import open_app

BROKEN_SHOP = "fernhill-supply.myshopify.com"
BROKEN_CMS = "781204456120017"


def install_and_connect(client, scenario: str) -> Shop:
    result = load_file(scenario)
    # What the sandbox admin does when the merchant first opens the app (managed installation).
    SandboxShop.objects.filter(domain=result.shop).update(app_installed=True, granted_scopes=app_toml_scopes())
    assert open_app(client, result.shop).status_code == 200
    shop = Shop.objects.get(domain=result.shop)
    token = result.tokens[0]
    meta_connection_connect(shop=shop, commerce_account_id=token.accounts[0], access_token=token.value,
                            source=MetaConnection.Source.OPERATOR)
    return shop


@pytest.fixture
def broken_shop(client, app_server) -> Shop:
    return install_and_connect(client, "broken-channel")
