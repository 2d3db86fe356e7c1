from __future__ import annotations

import pytest

from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.scenarios.loader import load_file
from orderguard.shops.models import Shop
from tests.helpers import open_app


@pytest.fixture
def installed(client, app_server):
    """The broken-channel scenario's shop, installed; returns it and its Meta system-user token."""
    result = load_file("broken-channel")
    SandboxShop.objects.filter(domain=result.shop).update(app_installed=True, granted_scopes=app_toml_scopes())
    open_app(client, result.shop)
    return Shop.objects.get(domain=result.shop), result.tokens[0].value
