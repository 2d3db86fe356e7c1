"""Every response of the embedded app says `Cache-Control: no-store` (issue 8, item 6): its pages,
partials and exports show buyer data. Derived from the URLconf, so a new /app route is covered too."""

from __future__ import annotations

import pytest

from tests.helpers import SHOP_A, bearer

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_partials_and_exports_of_the_app_are_not_stored(client, shop_with_orders):
    shop, orders = shop_with_orders
    responses = {
        "page": client.get("/app/", headers={"Authorization": bearer(SHOP_A)["Authorization"]}),
        "partial": client.get("/app/", {"tab": "all"}, headers={**bearer(SHOP_A), "HX-Target": "orders-list"}),
        "detail": client.get(f"/app/orders/{orders['missing'].pk}/", headers=bearer(SHOP_A)),
        "export": client.post("/app/orders/export", {"ids": [orders["missing"].pk]}, headers=bearer(SHOP_A)),
        "settings": client.get("/app/settings/", headers=bearer(SHOP_A)),
        "401": client.get("/app/", headers={"HX-Request": "true"}),
        "bounce": client.get("/app/", {"shop": SHOP_A}),
    }
    assert b"Marcus Bell" in responses["detail"].content
    for name, response in responses.items():
        assert response.status_code < 500, name
        assert _no_store(response), (name, response.get("Cache-Control"))


def test_pages_outside_the_app_keep_their_caching(client):
    assert not _no_store(client.get("/"))
