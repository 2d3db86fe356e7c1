"""Each health check against its outcomes, through the sandbox scenarios (orderguard/sandbox/scenarios/health/*.json)
over HTTP: the scenario is loaded, the app installed, Meta connected, one poll run, then every check."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from orderguard.health.models import HealthCheckChange, HealthCheckResult
from orderguard.health.registry import REGISTRY
from orderguard.health.services import health_checks_run
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState
from orderguard.sandbox.health_models import SandboxShopHealth
from orderguard.sandbox.meta import faults
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaToken
from orderguard.sandbox.models import SandboxCall, SandboxShop
from orderguard.shops.models import Shop
from tests.health.builders import HEALTH_CMS, health_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

# scenario -> the results it must produce (codes not named must not be failing).
EXPECTED = {
    "healthy": {},
    "broken-channel": {"meta.orders_acknowledged": "failing"},
    "token-expired": {"meta.token_valid": "failing", "meta.token_expiry": "failing", "meta.account_reachable": "failing",
                             "meta.setup_status": "unknown", "orderguard.last_poll": "warning"},
    "data-access-expiring": {"meta.data_access_expiry": "warning", "meta.token_expiry": "pass"},
    "missing-permission": {"meta.permissions": "failing", "orderguard.last_poll": "warning"},
    "no-order-management-app": {"meta.order_management_app": "failing", "meta.orders_acknowledged": "failing"},
    "website-checkout": {"meta.checkout_mode": "warning"},
    "channel-not-installed": {"shopify.channel_installed": "failing", "shopify.channel_publication": "unknown",
                                     "meta.orders_acknowledged": "failing"},
    "channel-disabled": {"meta.sales_channels": "failing", "meta.orders_acknowledged": "failing"},
    "variant-deleted": {"shopify.variants_exist": "failing", "meta.orders_acknowledged": "failing"},
    "variant-unpublished": {"shopify.variants_published": "failing", "meta.orders_acknowledged": "failing"},
    "out-of-stock": {"shopify.variants_in_stock": "failing", "meta.orders_acknowledged": "failing"},
    "country-not-shipped": {"shopify.shipping_coverage": "failing", "meta.orders_acknowledged": "failing"},
}
# Without the optional scope, Shopify Payments is unknown in every scenario (never an error).
ALWAYS = {"shopify.payments": "unknown"}


def _sandbox_token(shop: Shop):
    return MetaToken.objects.filter(value=MetaConnection.objects.get(shop=shop).access_token)


def _results(shop: Shop) -> dict[str, str]:
    return dict(HealthCheckResult.objects.filter(shop=shop).values_list("code", "result"))


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_each_scenario_fails_exactly_its_checks(client, app_server, scenario):
    shop = health_shop(client, scenario)
    summary = health_checks_run(shop=shop)

    results = _results(shop)
    assert set(results) == set(REGISTRY) and summary.ran == len(REGISTRY)
    expected = {**ALWAYS, **EXPECTED[scenario]}
    assert {code: results[code] for code in expected} == expected
    others = {code: result for code, result in results.items() if code not in expected}
    allowed = {"pass", "unknown"} if scenario in ("token-expired", "missing-permission") else {"pass"}
    assert set(others.values()) <= allowed, {code: result for code, result in others.items() if result not in allowed}


def test_the_healthy_scenario_passes_every_check_with_the_optional_scope(client, app_server):
    shop = health_shop(client, "healthy", extra_scopes="read_shopify_payments")
    Shop.objects.filter(pk=shop.pk).update(scopes=shop.scopes + ",read_shopify_payments")
    shop.refresh_from_db()
    health_checks_run(shop=shop)
    assert set(_results(shop).values()) == {"pass"}


def test_the_token_check_speaks_to_the_merchant_and_keeps_metas_token_type_for_support(client, app_server):
    shop = health_shop(client, "healthy")
    health_checks_run(shop=shop, codes=["meta.token_valid"])
    stored = HealthCheckResult.objects.get(shop=shop, code="meta.token_valid")
    assert stored.result == "pass" and "SYSTEM_USER" not in stored.message and stored.params == {}
    assert stored.details["token_type"] == "SYSTEM_USER"


def test_shopify_payments_inactive_is_failing_when_readable(client, app_server):
    shop = health_shop(client, "healthy", extra_scopes="read_shopify_payments")
    Shop.objects.filter(pk=shop.pk).update(scopes=shop.scopes + ",read_shopify_payments")
    SandboxShopHealth.objects.filter(shop__domain=shop.domain).update(shopify_payments_active=False)
    shop.refresh_from_db()
    health_checks_run(shop=shop, codes=["shopify.payments"])
    assert _results(shop) == {"shopify.payments": "failing"}


def test_a_token_expiring_within_seven_days_warns(client, app_server):
    shop = health_shop(client, "healthy")
    _sandbox_token(shop).update(expires_at=timezone.now() + timedelta(days=3))
    health_checks_run(shop=shop, codes=["meta.token_expiry", "meta.token_valid"])
    assert _results(shop) == {"meta.token_expiry": "warning", "meta.token_valid": "pass"}
    # Time moves past the expiry: the token dies.
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        health_checks_run(shop=shop, codes=["meta.token_expiry", "meta.token_valid"])
    assert _results(shop) == {"meta.token_expiry": "failing", "meta.token_valid": "failing"}


def test_the_token_no_longer_covering_the_account_fails(client, app_server):
    shop = health_shop(client, "healthy")
    _sandbox_token(shop).update(target_ids=["999000111222333"])
    MetaCommerceAccount.objects.create(id="999000111222333", display_name="Other", page_id="999000111222334", page_name="Other",
                                       behaviour_since=timezone.now())
    health_checks_run(shop=shop, codes=["meta.account_in_targets"])
    assert _results(shop) == {"meta.account_in_targets": "failing"}


@pytest.mark.parametrize(("setup", "expected"), [
    ({"review_status": "IN_REVIEW"}, "warning"),
    ({"review_status": "REJECTED"}, "failing"),
    ({"shop_setup": "EXTERNALLY_DISABLED"}, "failing"),
    ({"payment_setup": "VERIFICATION_NEEDED"}, "warning"),
])
def test_setup_status_outcomes(client, app_server, setup, expected):
    shop = health_shop(client, "healthy")
    MetaCommerceAccount.objects.filter(id=HEALTH_CMS).update(**setup)
    health_checks_run(shop=shop, codes=["meta.setup_status"])
    stored = HealthCheckResult.objects.get(shop=shop, code="meta.setup_status")
    assert stored.result == expected and stored.details["review_status"]


def test_an_order_management_app_other_than_shopify_warns(client, app_server):
    shop = health_shop(client, "healthy")
    MetaCommerceAccount.objects.filter(id=HEALTH_CMS).update(order_management_apps=[{"id": "555", "name": "Acme OMS"}])
    health_checks_run(shop=shop, codes=["meta.order_management_app"])
    stored = HealthCheckResult.objects.get(shop=shop, code="meta.order_management_app")
    assert stored.result == "warning" and stored.params == {"apps": "Acme OMS"}


def test_missing_app_scopes_warn(client, app_server):
    shop = health_shop(client, "healthy")
    Shop.objects.filter(pk=shop.pk).update(scopes="read_orders,write_draft_orders,read_products")
    shop.refresh_from_db()
    health_checks_run(shop=shop, codes=["shopify.app_scopes"])
    stored = HealthCheckResult.objects.get(shop=shop, code="shopify.app_scopes")
    assert stored.result == "warning" and stored.details["missing"] == ["read_publications", "read_inventory", "read_shipping"]


def test_a_stale_poller_and_failing_polls(client, app_server):
    shop = health_shop(client, "healthy")
    PollState.objects.filter(shop=shop).update(last_success_at=timezone.now() - timedelta(hours=3), consecutive_failures=4,
                                               last_error_code="MetaTransientError", last_error_message="timed out")
    health_checks_run(shop=shop, codes=["orderguard.poller", "orderguard.last_poll"])
    assert _results(shop) == {"orderguard.poller": "failing", "orderguard.last_poll": "failing"}


def test_a_meta_error_is_unknown_with_the_fbtrace_id(client, app_server):
    shop = health_shop(client, "healthy")
    MetaCommerceAccount.objects.filter(id=HEALTH_CMS).update(faults=[faults.make(kind="expired_token", now=timezone.now(), times=5)])
    health_checks_run(shop=shop, codes=["meta.setup_status"])
    stored = HealthCheckResult.objects.get(shop=shop, code="meta.setup_status")
    assert stored.result == "unknown" and stored.error_ids.get("fbtrace_id")


def test_the_legacy_channel_list_answers_when_the_app_read_fails(client, app_server):
    shop = health_shop(client, "healthy")
    SandboxShop.objects.filter(domain=shop.domain).update(faults={"graphql_http_500": 4})
    health_checks_run(shop=shop, codes=["shopify.channel_installed"])
    stored = HealthCheckResult.objects.get(shop=shop, code="shopify.channel_installed")
    assert stored.result == "pass" and stored.details["source"] == "channel_definitions"


def test_a_changed_result_is_recorded_with_its_time_and_an_unchanged_one_is_not(client, app_server):
    shop = health_shop(client, "healthy")
    health_checks_run(shop=shop)
    first = HealthCheckChange.objects.filter(shop=shop).count()
    assert first == len(REGISTRY)  # the first result of every check
    health_checks_run(shop=shop)
    assert HealthCheckChange.objects.filter(shop=shop).count() == first
    later = timezone.now() + timedelta(minutes=10)
    MetaCommerceAccount.objects.filter(id=HEALTH_CMS).update(review_status="REJECTED")
    with time_machine.travel(later, tick=False):
        summary = health_checks_run(shop=shop)
    assert summary.changed == ["meta.setup_status"]
    change = HealthCheckChange.objects.filter(shop=shop, code="meta.setup_status").latest("at")
    assert (change.from_result, change.to_result, change.at) == ("pass", "failing", later)
    assert HealthCheckResult.objects.get(shop=shop, code="meta.setup_status").since == later


def test_the_cheap_checks_are_a_subset_that_skips_the_costly_reads(client, app_server):
    shop = health_shop(client, "broken-channel")
    before = SandboxCall.objects.count()
    summary = health_checks_run(shop=shop, cheap_only=True)
    assert set(summary.results) == {code for code, c in REGISTRY.items() if c.cheap}
    operations = set(SandboxCall.objects.order_by("pk").values_list("operation", flat=True)[before:])
    assert "setup_status" not in operations and "shops" not in operations
