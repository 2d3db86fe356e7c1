"""App-home authentication end to end: the app talks to the sandbox Shopify over HTTP (live server)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from orderguard.shops.models import OfflineToken, Shop
from tests.helpers import SHOP_A, SHOP_B, bearer, make_id_token, make_sandbox_shop, open_app, sandbox_calls

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


@pytest.fixture
def shops(app_server):
    make_sandbox_shop(SHOP_A, name="Alpha Goods", currency="EUR")
    make_sandbox_shop(SHOP_B, name="Bravo Supply", currency="GBP")


def test_first_open_installs_the_shop_by_token_exchange_and_shows_its_name(client, shops):
    response = open_app(client, SHOP_A)

    assert response.status_code == 200
    assert b"Alpha Goods" in response.content and b"EUR" in response.content
    shop = Shop.objects.get(domain=SHOP_A)
    assert shop.status == Shop.Status.ACTIVE and shop.name == "Alpha Goods" and shop.currency_code == "EUR"
    token = OfflineToken.objects.get(shop=shop)
    assert token.refresh_token and timedelta(minutes=55) < token.expires_at - timezone.now() <= timedelta(hours=1)
    assert sandbox_calls("token_exchange", SHOP_A) == 1
    assert sandbox_calls("graphql:OrderGuardShopDetails", SHOP_A) == 1


def test_later_page_loads_use_the_stored_token_without_calling_shopify(client, shops):
    open_app(client, SHOP_A)
    response = open_app(client, SHOP_A)

    assert response.status_code == 200
    assert sandbox_calls("token_exchange", SHOP_A) == 1
    assert sandbox_calls("graphql:OrderGuardShopDetails", SHOP_A) == 1


def test_a_page_load_without_a_token_is_sent_to_the_bounce_page(client, shops):
    response = client.get("/app/", {"embedded": "1", "shop": SHOP_A, "locale": "nl"})

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/auth/patch-id-token?")
    assert "shopify-reload=%2Fapp%2F%3Fembedded%3D1%26shop%3D" in location
    bounce = client.get(location)
    assert bounce.status_code == 200
    assert settings.SHOPIFY_APP_BRIDGE_URL.encode() in bounce.content
    assert bounce["Content-Security-Policy"].startswith("frame-ancestors https://admin.shopify.com")
    assert "X-Frame-Options" not in bounce
    assert not Shop.objects.exists()


def test_a_page_load_with_a_stale_token_is_bounced_not_refused(client, shops):
    stale = make_id_token(SHOP_A, exp=1, nbf=0, iat=0)
    response = client.get("/app/", {"shop": SHOP_A, "id_token": stale})
    assert response.status_code == 302 and "id_token" not in response["Location"]


@pytest.mark.parametrize(
    "reload_path",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "\t//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/app\\..\\..\\evil",
        "/\x00/evil.example",
        "/\x7f/evil.example",
        "/%2F/evil.example",
        "/%09/evil.example",
        "/%5Cevil.example",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http:/evil.example",
        "evil.example",
        "",
    ],
)
def test_the_bounce_page_falls_back_to_the_app_home_for_anything_but_a_path_of_this_app(client, reload_path):
    response = client.get("/auth/patch-id-token", {"shopify-reload": reload_path, "shop": SHOP_A, "embedded": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/auth/patch-id-token?shop={SHOP_A}&embedded=1&shopify-reload=%2Fapp%2F"
    assert client.get(response["Location"]).status_code == 200


def test_the_bounce_page_reads_encoded_variants_as_the_browser_would(client):
    # `shopify-reload=%2F%09%2Fevil.example` arrives decoded once: "/<tab>/evil.example".
    for raw in ("%2F%09%2Fevil.example", "%2F%0A%2Fevil.example", "%2F%5Cevil.example", "%2F%252F%2Fevil.example"):
        response = client.get(f"/auth/patch-id-token?shopify-reload={raw}")
        assert response.status_code == 302 and response["Location"].endswith("shopify-reload=%2Fapp%2F"), raw


@pytest.mark.parametrize("reload_path", ["/app/", "/app/orders/?status=open&q=a%2Fb", "/app/meta/?embedded=1&shop=x"])
def test_the_bounce_page_keeps_paths_of_this_app(client, reload_path):
    response = client.get("/auth/patch-id-token", {"shopify-reload": reload_path})
    assert response.status_code == 200
    assert settings.SHOPIFY_APP_BRIDGE_URL.encode() in response.content


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-token"},
    ],
    ids=["htmx without token", "basic auth", "empty bearer", "garbage bearer"],
)
def test_fetch_requests_without_a_valid_token_get_401_and_the_retry_header(client, shops, headers):
    response = client.get("/app/", headers=headers)
    assert response.status_code == 401
    assert response["X-Shopify-Retry-Invalid-Session-Request"] == "1"


def test_a_forged_bearer_token_is_refused(client, shops):
    forged = {"Authorization": f"Bearer {make_id_token(SHOP_A, secret='an-attackers-secret-that-is-long-enough')}"}
    response = client.get("/app/", headers=forged)
    assert response.status_code == 401
    assert not Shop.objects.exists()


def test_a_token_for_shop_a_with_shop_b_in_the_query_serves_shop_a_only(client, shops):
    open_app(client, SHOP_B)
    response = client.get("/app/", {"shop": SHOP_B, "id_token": make_id_token(SHOP_A)})

    assert response.status_code == 200
    assert b"Alpha Goods" in response.content and b"Bravo Supply" not in response.content
    csp = response["Content-Security-Policy"]
    assert f"frame-ancestors https://{SHOP_A} https://admin.shopify.com" in csp
    assert SHOP_B not in csp


def test_embedded_pages_are_framable_by_their_shop_only_and_other_pages_by_nobody(client, shops):
    embedded = open_app(client, SHOP_A)
    assert embedded["Content-Security-Policy"].startswith(f"frame-ancestors https://{SHOP_A} https://admin.shopify.com")
    assert "X-Frame-Options" not in embedded

    landing = client.get("/")
    assert landing["Content-Security-Policy"].startswith("frame-ancestors 'none'")
    assert landing["X-Frame-Options"] == "DENY"


def test_an_unsafe_request_with_the_token_in_the_query_string_is_refused(client, shops):
    open_app(client, SHOP_A)
    response = client.post(f"/app/shop/sync?id_token={make_id_token(SHOP_A)}")
    assert response.status_code == 401


def test_a_bearer_request_needs_no_csrf_cookie(shops):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    open_app(strict, SHOP_A)
    response = strict.post("/app/shop/sync", headers=bearer(SHOP_A))

    assert response.status_code == 200
    assert "og:toast" in response["HX-Trigger"]
    assert b'id="shop-card"' in response.content and b"<html" not in response.content


def test_the_token_endpoint_failing_gives_a_clear_page_not_a_500(client, shops):
    from orderguard.sandbox.models import SandboxShop

    SandboxShop.objects.filter(domain=SHOP_A).update(faults={"token_http_500": 5})
    response = open_app(client, SHOP_A)

    assert response.status_code == 503
    assert b"Shopify could not be reached" in response.content
    assert not OfflineToken.objects.exists()


def test_a_shop_whose_details_fail_at_install_still_installs(client, shops):
    from orderguard.sandbox.models import SandboxShop

    SandboxShop.objects.filter(domain=SHOP_A).update(faults={"graphql_http_500": 10})
    response = open_app(client, SHOP_A)

    assert response.status_code == 200
    assert Shop.objects.get(domain=SHOP_A).status == Shop.Status.ACTIVE
    assert OfflineToken.objects.filter(shop__domain=SHOP_A).exists()
