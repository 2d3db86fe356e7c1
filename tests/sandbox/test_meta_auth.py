"""Tokens, appsecret_proof, permissions, /debug_token, usage headers and the call log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from orderguard.sandbox.meta.auth import proof
from orderguard.sandbox.meta.models import MetaToken
from orderguard.sandbox.models import SandboxCall
from tests.sandbox.helpers import CMS, PAGE, TOKEN, Graph, base_scenario, error_of, meta_order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

ORDER = "2100000000000001"
URL = f"/_sandbox/meta/graph/v25.0/{CMS}/commerce_orders"


@pytest.fixture
def world(load):
    data = base_scenario([meta_order(ORDER, "CREATED", "-2h")])
    data["tokens"] += [
        {"value": "EAAExpiredToken000000000000000000000000000000000001", "type": "USER", "account": CMS, "expires": "-1h",
         "scopes": ["commerce_account_read_orders"]},
        {"value": "EAAInvalidatedToken00000000000000000000000000000001", "type": "SYSTEM_USER", "account": CMS, "valid": False,
         "scopes": ["commerce_account_read_orders"]},
        {"value": "EAASettingsOnlyToken0000000000000000000000000000001", "type": "SYSTEM_USER", "account": CMS,
         "scopes": ["commerce_account_read_settings"]},
    ]
    load(data)


def test_a_valid_token_with_its_proof_is_accepted(graph, world):
    assert graph.get(f"{CMS}/commerce_orders").status_code == 200


def test_the_token_may_come_in_the_authorization_header(client, world):
    response = client.get(URL, {"appsecret_proof": proof(TOKEN)}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200


def test_appsecret_proof_is_required(client, world):
    response = client.get(URL, {"access_token": TOKEN})
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["message"]) == (100, "API calls from the server require an appsecret_proof argument")


@pytest.mark.parametrize("bad_proof", ["0" * 64, "not-hex", "{proof_of_other_token}"])
def test_a_wrong_appsecret_proof_is_refused(client, world, bad_proof):
    bad_proof = bad_proof.format(proof_of_other_token=proof("EAAsomethingElse"))
    error = error_of(client.get(URL, {"access_token": TOKEN, "appsecret_proof": bad_proof}))
    assert error["code"] == 100 and "Invalid appsecret_proof" in error["message"]


def test_missing_token_is_104(client, world):
    assert error_of(client.get(URL))["code"] == 104


def test_expired_token_is_190_463(client, world):
    response = Graph(client, "EAAExpiredToken000000000000000000000000000000000001").get(f"{CMS}/commerce_orders")
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["error_subcode"], error["type"]) == (190, 463, "OAuthException")
    assert "Session has expired" in error["message"] and error["fbtrace_id"]
    assert response.headers["WWW-Authenticate"].startswith('OAuth "Facebook Platform" "invalid_token"')


def test_unknown_and_invalidated_tokens_are_190_467(client, world):
    for token in ("EAAInvalidatedToken00000000000000000000000000000001", "EAAnobodyIssuedThisToken"):
        error = error_of(Graph(client, token).get(f"{CMS}/commerce_orders"))
        assert (error["code"], error["error_subcode"]) == (190, 467)


def test_a_token_expiring_while_in_use_stops_working(client, clock, world):
    MetaToken.objects.filter(value=TOKEN).update(expires_at=timezone.now() + timedelta(minutes=5))
    assert Graph(client).get(f"{CMS}/commerce_orders").status_code == 200
    clock.shift(timedelta(minutes=6))
    assert error_of(Graph(client).get(f"{CMS}/commerce_orders"))["error_subcode"] == 463


def test_missing_permission_is_code_200(client, manage_graph, world):
    settings_only = Graph(client, "EAASettingsOnlyToken0000000000000000000000000000001")
    response = settings_only.get(f"{CMS}/commerce_orders")
    assert response.status_code == 403
    assert error_of(response)["code"] == 200 and "commerce_account_read_orders" in error_of(response)["message"]
    # Reading is not managing: the read-only token cannot acknowledge.
    read_only = Graph(client)
    assert error_of(read_only.post(f"{ORDER}/acknowledge_order", idempotency_key="k1"))["code"] == 200
    assert settings_only.get(CMS, fields="id,display_name").status_code == 200


def test_debug_token_needs_the_app_token(client, world):
    response = client.get("/_sandbox/meta/graph/v25.0/debug_token", {"input_token": TOKEN, "access_token": TOKEN, "appsecret_proof": proof(TOKEN)})
    assert error_of(response)["code"] == 100


def _debug(client, token: str) -> dict:
    app_token = f"{settings.META_APP_ID}|{settings.META_APP_SECRET}"
    response = client.get("/_sandbox/meta/graph/v25.0/debug_token", {"input_token": token, "access_token": app_token})
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_debug_token_describes_a_system_user_token(client, world):
    data = _debug(client, TOKEN)
    assert data["is_valid"] is True and data["type"] == "SYSTEM_USER" and data["app_id"] == settings.META_APP_ID
    assert data["expires_at"] == 0 and data["data_access_expires_at"] == 0  # never
    assert data["scopes"] == ["commerce_account_read_orders", "commerce_account_read_settings"]
    assert {"scope": "commerce_account_read_orders", "target_ids": [CMS]} in data["granular_scopes"]
    assert data["application"] == "OrderGuard" and data["user_id"]


def test_debug_token_reports_expired_invalid_and_unknown_tokens(client, world):
    expired = _debug(client, "EAAExpiredToken000000000000000000000000000000000001")
    assert expired["is_valid"] is False and expired["error"]["subcode"] == 463 and expired["expires_at"] > 0
    invalidated = _debug(client, "EAAInvalidatedToken00000000000000000000000000000001")
    assert invalidated["is_valid"] is False and invalidated["error"]["code"] == 190
    unknown = _debug(client, "EAAnobodyIssuedThisToken")
    assert unknown["is_valid"] is False and unknown["error"]["code"] == 190


def test_usage_headers_on_every_response_including_errors(client, graph, world):
    for response in (graph.get(f"{CMS}/commerce_orders"), client.get(URL, {"access_token": TOKEN})):
        app_usage = json.loads(response.headers["X-App-Usage"])
        assert set(app_usage) == {"call_count", "total_cputime", "total_time"}
    buc = json.loads(graph.get(f"{CMS}/commerce_orders").headers["X-Business-Use-Case-Usage"])
    assert list(buc) == [PAGE]
    entry = buc[PAGE][0]
    assert entry["type"] == "pages" and entry["estimated_time_to_regain_access"] == 0
    assert {"call_count", "total_cputime", "total_time"} <= set(entry)


def test_every_call_is_logged(graph, world):
    graph.get(f"{CMS}/commerce_orders")
    graph.get(ORDER)
    graph.get(f"{CMS}/commerce_orders", state="NOPE")
    calls = list(SandboxCall.objects.filter(platform="meta").values_list("operation", "account", "status_code"))
    assert calls == [("GET commerce_orders", CMS, 200), ("GET order", CMS, 200), ("GET commerce_orders", CMS, 400)]


def test_the_page_budget_throttles_with_80001(graph, world):
    from orderguard.sandbox.meta.models import MetaCommerceAccount
    from orderguard.sandbox.meta.usage import PAGE_CALLS_PER_DAY_PER_USER

    SandboxCall.objects.bulk_create([SandboxCall(platform="meta", operation="GET commerce_orders", account=CMS, status_code=200)] * (PAGE_CALLS_PER_DAY_PER_USER - 1))
    assert graph.get(f"{CMS}/commerce_orders").status_code == 200  # the last call of the budget
    response = graph.get(f"{CMS}/commerce_orders")
    assert error_of(response)["code"] == 80001
    entry = json.loads(response.headers["X-Business-Use-Case-Usage"])[PAGE][0]
    assert entry["call_count"] == 100 and entry["estimated_time_to_regain_access"] == 60
    assert MetaCommerceAccount.objects.get(pk=CMS).throttled_until is not None
