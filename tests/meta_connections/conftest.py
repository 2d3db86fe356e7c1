from __future__ import annotations

import pytest

from tests.factories import install_and_connect


@pytest.fixture
def installed(client, app_server):
    """The broken-channel scenario's shop, installed but not connected; returns it and its Meta
    system-user token (the login-binding tests play two browsers, so they want the pair)."""
    shop = install_and_connect(client=client, connected=False)
    return shop.shop, shop.meta_token
