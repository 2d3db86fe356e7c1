"""The Admin GraphQL client against the sandbox Shopify over HTTP: typed results, throttling, errors."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from orderguard.integrations.shopify.client import ShopifyAdminClient
from orderguard.integrations.shopify.errors import (
    ShopifyAuthError,
    ShopifyGraphQLError,
    ShopifyPermissionError,
    ShopifyThrottledError,
    ShopifyTransientError,
)
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify import tokens as sandbox_tokens
from orderguard.shops.shopify_app import shopify_http_client
from tests.helpers import SHOP_A, make_sandbox_shop, sandbox_calls

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


@pytest.fixture
def sandbox_shop(app_server):
    return make_sandbox_shop(SHOP_A, name="Alpha Goods", currency="EUR")


def _client(shop, *, sleeps: list | None = None, token: str | None = None, **kwargs) -> ShopifyAdminClient:
    if token is None:
        token = sandbox_tokens._issue(shop, expiring=True)["access_token"]
    return ShopifyAdminClient(
        shop_domain=shop.domain,
        access_token=token,
        api_version=settings.SHOPIFY_API_VERSION,
        http_client=shopify_http_client(),
        sleep=(sleeps.append if sleeps is not None else lambda seconds: None),
        **kwargs,
    )


def _fault(shop, **faults) -> None:
    SandboxShop.objects.filter(pk=shop.pk).update(faults=faults)


def test_shop_details_are_typed_and_carry_the_query_cost(sandbox_shop):
    client = _client(sandbox_shop)
    details = client.shop_details()
    assert (details.name, details.currency_code, details.myshopify_domain) == ("Alpha Goods", "EUR", SHOP_A)
    assert client.last_throttle is not None and client.last_throttle.maximum_available == 2000
    assert client.last_cost >= 1


def test_throttled_queries_wait_for_the_bucket_and_retry(sandbox_shop):
    _fault(sandbox_shop, graphql_throttled=1)
    sleeps: list[float] = []
    details = _client(sandbox_shop, sleeps=sleeps).shop_details()
    assert details.name == "Alpha Goods"
    assert sandbox_calls("graphql", SHOP_A) == 1 and sandbox_calls("graphql:OrderGuardShopDetails", SHOP_A) == 1
    assert sleeps and sleeps[0] > 0


def test_429_honours_retry_after(sandbox_shop):
    _fault(sandbox_shop, graphql_http_429=1)
    sleeps: list[float] = []
    assert _client(sandbox_shop, sleeps=sleeps).shop_details().name == "Alpha Goods"
    assert sleeps == [1.0]


def test_throttling_that_outlasts_the_wait_budget_raises(sandbox_shop):
    _fault(sandbox_shop, graphql_throttled=10)
    with pytest.raises(ShopifyThrottledError):
        _client(sandbox_shop, max_attempts=3).shop_details()


def test_transient_failures_are_retried_for_queries_but_not_for_mutations(sandbox_shop):
    _fault(sandbox_shop, graphql_http_500=1)
    assert _client(sandbox_shop).query("shop_details").data["shop"]["name"] == "Alpha Goods"

    _fault(sandbox_shop, graphql_http_500=1)
    calls_before = sandbox_calls("graphql", SHOP_A)
    with pytest.raises(ShopifyTransientError):
        _client(sandbox_shop).mutate("shop_details")
    assert sandbox_calls("graphql", SHOP_A) == calls_before + 1


def test_a_revoked_token_is_an_auth_error_and_not_retried(sandbox_shop):
    client = _client(sandbox_shop)
    sandbox_tokens.revoke_all(sandbox_shop)
    with pytest.raises(ShopifyAuthError):
        client.shop_details()
    assert client.calls == 1
    assert client.app_is_installed() is False


def test_reading_orders_without_the_scope_is_a_permission_error(sandbox_shop):
    SandboxShop.objects.filter(pk=sandbox_shop.pk).update(granted_scopes="")
    client = _client(SandboxShop.objects.get(pk=sandbox_shop.pk))
    with pytest.raises(ShopifyPermissionError):
        client.query("social_orders", {"query": "source_name:2329312"})


def test_a_document_shopify_rejects_is_a_graphql_error(sandbox_shop):
    client = _client(sandbox_shop)
    with pytest.raises(ShopifyGraphQLError) as raised:
        client._with_retries("query { shop { nope } }", None, retry_transient=True)
    assert "nope" in str(raised.value)


def test_the_next_query_waits_until_the_bucket_can_pay_for_it(sandbox_shop):
    SandboxShop.objects.filter(pk=sandbox_shop.pk).update(throttle_maximum=10, throttle_available=3, throttle_restore_rate=2)
    sleeps: list[float] = []

    def really_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    client = _client(sandbox_shop)
    client._sleep = really_sleep
    client.shop_details()  # costs 2 of the 3 points
    client.shop_details()  # must first wait ~0.5 s for the second point
    assert len(sleeps) == 1 and 0.2 < sleeps[0] <= 1.0
    assert sandbox_calls("graphql:OrderGuardShopDetails", SHOP_A) == 2


def test_a_deprecation_signal_is_returned_with_the_result_and_logged(sandbox_shop, caplog):
    client = _client(sandbox_shop)
    assert client.query("shop_details").deprecated_reason == ""
    _fault(sandbox_shop, graphql_deprecated_reason=1)
    with caplog.at_level("WARNING", logger="orderguard.integrations.shopify.client"):
        response = client.query("shop_details")
    assert response.deprecated_reason == client.last_deprecation == "https://shopify.dev/api/usage/versioning#deprecation-practices"
    assert "deprecation signal" in caplog.text
