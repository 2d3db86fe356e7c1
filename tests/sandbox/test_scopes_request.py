"""App Bridge's scopes.request as the sandbox admin answers it: an optional scope the toml declares is
granted to the shop and its live tokens and app/scopes_update records it in OrderGuard; a scope the app
did not declare is declined; reopening the app keeps the approved optional scope (managed installation
does not take it back)."""

from __future__ import annotations

import json

import pytest

from orderguard.sandbox.models import SandboxShop, SandboxToken
from orderguard.shops import webhooks
from orderguard.shops.models import Shop, WebhookDelivery
from tests.remedies import stuck_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


@pytest.fixture
def stuck(client, app_server):
    return stuck_shop(client=client)


def _request(client, stuck, scopes) -> dict:
    handle = stuck.shop.domain.removesuffix(".myshopify.com")
    response = client.post(f"/_sandbox/admin/store/{handle}/scopes-request", data=json.dumps({"scopes": scopes}),
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_an_approved_optional_scope_is_granted_and_recorded_by_the_scopes_update_webhook(client, stuck):
    assert "write_discounts" not in stuck.shop.scopes
    answer = _request(client, stuck, ["write_discounts"])
    assert answer == {"result": "granted-all", "detail": {"granted": ["write_discounts"], "declined": []}}
    sandbox_shop = SandboxShop.objects.get(domain=stuck.shop.domain)
    assert "write_discounts" in sandbox_shop.granted_scopes.split(",")
    live = SandboxToken.objects.filter(shop=sandbox_shop, kind=SandboxToken.Kind.ACCESS, revoked_at__isnull=True)
    assert live.exists() and all("write_discounts" in token.scope.split(",") for token in live)
    delivery = WebhookDelivery.objects.get(topic="app/scopes_update", shop_domain=stuck.shop.domain)
    webhooks.webhook_delivery_process(delivery_id=delivery.pk)
    assert "write_discounts" in Shop.objects.get(pk=stuck.shop.pk).scopes.split(",")


def test_a_scope_the_app_did_not_declare_is_declined_and_nothing_changes(client, stuck):
    before = SandboxShop.objects.get(domain=stuck.shop.domain).granted_scopes
    answer = _request(client, stuck, ["write_orders"])
    assert answer["result"] == "declined-all" and answer["detail"]["declined"] == ["write_orders"]
    assert SandboxShop.objects.get(domain=stuck.shop.domain).granted_scopes == before
    assert not WebhookDelivery.objects.filter(topic="app/scopes_update").exists()


def test_reopening_the_app_keeps_an_approved_optional_scope(client, stuck):
    _request(client, stuck, ["write_discounts"])
    handle = stuck.shop.domain.removesuffix(".myshopify.com")
    assert client.get(f"/_sandbox/admin/store/{handle}/apps/orderguard").status_code == 200
    assert "write_discounts" in SandboxShop.objects.get(domain=stuck.shop.domain).granted_scopes.split(",")


def test_a_malformed_request_is_a_400_not_a_500(client, stuck):
    handle = stuck.shop.domain.removesuffix(".myshopify.com")
    for body in (b"not json", b'{"scopes": "write_discounts"}', b"[1]"):
        assert client.post(f"/_sandbox/admin/store/{handle}/scopes-request", data=body,
                           content_type="application/json").status_code == 400
