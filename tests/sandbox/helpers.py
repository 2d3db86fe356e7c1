"""For the sandbox's own tests: a small scenario at a fixed time, and a Graph API client that signs calls
with appsecret_proof as OrderGuard does (the fixtures are in conftest.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from orderguard.sandbox.meta.auth import proof

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SHOP = "test-outfitters.myshopify.com"
CMS = "781200000000001"
PAGE = "104500000000001"
USER = "100080000000001"
TOKEN = "EAATestSandboxSystemUserTokenReadOrders0000000000000000000000000000000000001"
MANAGE_TOKEN = "EAATestSandboxSystemUserTokenManageOrders00000000000000000000000000000000002"
OTHER_CMS = "781200000000002"
OTHER_PAGE = "104500000000002"

ITEM = {"retailer_id": "SKU-1", "name": "Trail Jacket", "price": "100.00"}


def meta_order(order_id: str, state: str, created: str, **extra) -> dict:
    return {"id": order_id, "state": state, "created": created, "items": [dict(ITEM)], "shipping": "5.00", "tax": "8.00",
            "buyer": {"name": f"Buyer {order_id[-2:]}", "email": f"b{order_id[-4:]}@marketplace.facebook.com"}, **extra}


def base_scenario(orders: list[dict] | None = None, *, behaviour: str = "broken", **account) -> dict:
    return {
        "name": "test",
        "shop": {"domain": SHOP, "name": "Test Outfitters", "currency": "USD", "timezone": "UTC", "facebook_channel_installed": True},
        "meta_users": [{"id": USER, "name": "Robin Tester"}],
        "accounts": [
            {"id": CMS, "display_name": "Test Outfitters", "page": {"id": PAGE, "name": "Test Outfitters", "admin": USER},
             "behaviour": behaviour, **account},
            {"id": OTHER_CMS, "display_name": "Someone Else", "page": {"id": OTHER_PAGE, "name": "Someone Else"},
             "syncs_with_shop": False},
        ],
        "tokens": [
            {"value": TOKEN, "type": "SYSTEM_USER", "account": CMS,
             "scopes": ["commerce_account_read_orders", "commerce_account_read_settings"]},
            {"value": MANAGE_TOKEN, "type": "SYSTEM_USER", "account": CMS,
             "scopes": ["commerce_account_manage_orders", "commerce_account_read_settings", "commerce_manage_accounts"]},
        ],
        "orders": orders if orders is not None else [],
    }


class Graph:
    """Calls the Meta stand-in in-process, with a token and its appsecret_proof."""

    def __init__(self, client, token: str = TOKEN, version: str = "v25.0"):
        self.client, self.token, self.version = client, token, version

    def _auth(self, params: dict) -> dict:
        return {"access_token": self.token, "appsecret_proof": proof(self.token), **params}

    def url(self, path: str) -> str:
        return f"/_sandbox/meta/graph/{self.version}/{path}"

    def get(self, path: str, **params):
        return self.client.get(self.url(path), self._auth(params))

    def post(self, path: str, **params):
        data = {k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in self._auth(params).items()}
        return self.client.post(self.url(path), data)

    def delete(self, path: str, **params):
        return self.client.delete(self.url(path) + "?" + "&".join(f"{k}={v}" for k, v in self._auth(params).items()))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["data"]]


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]
