"""Authenticated as shop A, no endpoint of the app serves shop B's objects."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from orderguard.orders.models import SocialOrder
from orderguard.remediation.models import RemediationAction
from orderguard.shops.models import DataRequestExport, Shop
from tests.helpers import SHOP_A, SHOP_B, bearer, make_sandbox_shop, open_app

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def app_url_patterns() -> list[tuple[str, URLPattern]]:
    """Every URL pattern under /app/ (the embedded app), with its full route."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("app/"):
                found.append((route, pattern))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def two_shops(client, app_server):
    make_sandbox_shop(SHOP_A, name="Alpha Goods")
    make_sandbox_shop(SHOP_B, name="Bravo Supply")
    open_app(client, SHOP_A)
    open_app(client, SHOP_B)
    shop_b = Shop.objects.get(domain=SHOP_B)
    # One object of each kind that app URLs take an id of, owned by shop B.
    order = SocialOrder.objects.create(
        shop=shop_b, meta_order_id="999000111222333", commerce_account_id="1", meta_state="CREATED",
        meta_created_at=timezone.now(), meta_updated_at=timezone.now(), buyer_name="secret buyer of B",
        status="missing_from_shopify", reason="not_in_shopify", needs_action=True,
    )
    return {
        "export_id": DataRequestExport.objects.create(shop=shop_b, shopify_customer_id="7", export={"secret": "B"}).pk,
        "order_id": order.pk,
        "action_id": RemediationAction.objects.create(shop=shop_b, order=order, kind="cancel_and_link", idempotency_key="secret-key-of-b",
                                                      step="awaiting_manual_cancel", status="done", message="secret").pk,
    }


def test_every_app_url_with_an_object_id_refuses_another_shops_object(client, two_shops):
    checked = 0
    for route, pattern in app_url_patterns():
        names = list(pattern.pattern.converters)
        if not names:
            continue
        missing = [name for name in names if name not in two_shops]
        assert not missing, f"{route}: add an object of shop B for {missing} to the fixture"
        url = "/" + route
        for name in names:
            url = url.replace(f"<int:{name}>", str(two_shops[name])).replace(f"<{name}>", str(two_shops[name]))
        for method in ("get", "post"):
            response = getattr(client, method)(url, headers=bearer(SHOP_A))
            assert response.status_code in (404, 405), (method, url, response.status_code)
            assert b"secret" not in response.content
        checked += 1
    assert checked >= 1


def test_lists_and_exports_of_shop_a_never_include_shop_b(client, two_shops):
    page = client.get("/app/?tab=all", headers=bearer(SHOP_A))
    assert page.status_code == 200 and b"999000111222333" not in page.content and b"secret buyer" not in page.content
    export = client.post("/app/orders/export", {"ids": [two_shops["order_id"]]}, headers=bearer(SHOP_A))
    assert export.status_code == 200 and b"999000111222333" not in export.content


def test_shop_a_still_sees_its_own_objects(client, two_shops):
    own = DataRequestExport.objects.create(shop=Shop.objects.get(domain=SHOP_A), shopify_customer_id="8", export={"mine": True})
    response = client.get(f"/app/privacy/exports/{own.pk}.json", headers=bearer(SHOP_A))
    assert response.status_code == 200 and b"mine" in response.content


def test_every_app_url_refuses_requests_without_an_id_token(client, two_shops):
    for route, pattern in app_url_patterns():
        url = "/" + route
        for name in pattern.pattern.converters:
            url = url.replace(f"<int:{name}>", "1").replace(f"<{name}>", "1")
        fetch = client.post(url, headers={"HX-Request": "true"})
        assert fetch.status_code == 401, (url, fetch.status_code)
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith("/auth/patch-id-token"), url
