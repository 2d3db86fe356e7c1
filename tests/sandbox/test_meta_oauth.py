"""Facebook Login stand-in: the dialog, the token endpoint, long-lived tokens, /me/accounts, Page fields."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from orderguard.sandbox.meta.models import MetaToken
from tests.sandbox.helpers import CMS, PAGE, USER, Graph, base_scenario, error_of, meta_order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

DIALOG = "/_sandbox/meta/dialog/oauth"
TOKEN_URL = "/_sandbox/meta/graph/v25.0/oauth/access_token"
REDIRECT = f"{settings.APP_URL}/app/meta/callback"
SCOPES = "commerce_account_read_orders,commerce_account_read_settings,pages_show_list,business_management"


@pytest.fixture
def world(load):
    load(base_scenario([meta_order("2600000000000001", "CREATED", "-2h")]))


def dialog_params(**overrides) -> dict:
    return {"client_id": settings.META_APP_ID, "redirect_uri": REDIRECT, "state": "st-123", "scope": SCOPES, "response_type": "code", **overrides}


def authorize(client, **overrides) -> dict:
    """Continue in the dialog; returns the query the browser is sent back with."""
    response = client.post(DIALOG, {**dialog_params(**overrides), "user": USER, "pages": [PAGE], "decision": "continue"})
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def exchange(client, code: str, **overrides):
    params = {"client_id": settings.META_APP_ID, "client_secret": settings.META_APP_SECRET, "redirect_uri": REDIRECT, "code": code, **overrides}
    return client.get(TOKEN_URL, params)


def test_the_dialog_asks_to_continue_as_the_user(client, world):
    response = client.get(DIALOG, dialog_params())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Continue as Robin Tester" in page and "Cancel" in page and "csrfmiddlewaretoken" in page
    assert "commerce_account_read_orders" in page and "Test Outfitters" in page
    assert response["X-Frame-Options"] == "DENY"


def test_the_dialog_form_is_csrf_protected(world):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(DIALOG, {**dialog_params(), "user": USER, "pages": [PAGE], "decision": "continue"})
    assert response.status_code == 403
    page = strict.get(DIALOG, dialog_params())
    token = page.cookies["csrftoken"].value
    ok = strict.post(DIALOG, {**dialog_params(), "user": USER, "pages": [PAGE], "decision": "continue", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


def test_continue_redirects_with_code_and_state(client, world):
    query = authorize(client)
    assert query["state"] == "st-123" and query["code"]


def test_cancel_redirects_with_access_denied(client, world):
    response = client.post(DIALOG, {**dialog_params(), "user": USER, "decision": "cancel"})
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["access_denied"] and query["error_reason"] == ["user_denied"] and query["state"] == ["st-123"]


@pytest.mark.parametrize("override", [{"client_id": "999"}, {"redirect_uri": "https://evil.example/steal"}, {"scope": "read_minds"}])
def test_the_dialog_refuses_bad_requests(client, world, override):
    assert client.get(DIALOG, dialog_params(**override)).status_code == 400


def test_code_exchange_gives_a_short_lived_user_token_once(client, world):
    code = authorize(client)["code"]
    response = exchange(client, code)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and 0 < body["expires_in"] <= 2 * 3600
    token = MetaToken.objects.get(value=body["access_token"])
    assert token.kind == "USER" and token.user_id == USER and "commerce_account_read_orders" in token.scopes
    assert set(token.target_ids) == {PAGE, CMS}
    reused = error_of(exchange(client, code))
    assert (reused["code"], reused["error_subcode"]) == (100, 36009)


def test_code_exchange_checks_redirect_uri_secret_and_expiry(client, clock, world):
    code = authorize(client)["code"]
    assert error_of(exchange(client, code, redirect_uri=f"{settings.APP_URL}/elsewhere"))["error_subcode"] == 36008
    assert error_of(exchange(client, code, client_secret="wrong"))["code"] == 1
    clock.shift(timedelta(minutes=11))
    assert error_of(exchange(client, code))["error_subcode"] == 36007


def test_long_lived_exchange_and_page_tokens(client, world):
    short = exchange(client, authorize(client)["code"]).json()["access_token"]
    long_lived = client.get(TOKEN_URL, {
        "grant_type": "fb_exchange_token", "client_id": settings.META_APP_ID, "client_secret": settings.META_APP_SECRET,
        "fb_exchange_token": short,
    }).json()
    assert long_lived["expires_in"] == 60 * 24 * 3600
    user = Graph(client, long_lived["access_token"])
    accounts = user.get("me/accounts").json()
    assert [page["id"] for page in accounts["data"]] == [PAGE]
    page = accounts["data"][0]
    assert page["name"] == "Test Outfitters" and "MANAGE" in page["tasks"]
    assert MetaToken.objects.get(value=page["access_token"]).kind == "PAGE"
    assert MetaToken.objects.get(value=page["access_token"]).expires_at is None  # from a long-lived user token
    assert user.get("me/accounts").json()["data"][0]["access_token"] == page["access_token"]  # the same one
    # The Page token finds the commerce account and reads its orders.
    page_graph = Graph(client, page["access_token"])
    found = page_graph.get(PAGE, fields="commerce_merchant_settings").json()
    assert found["id"] == PAGE and found["commerce_merchant_settings"]["data"] == [{"id": CMS}]
    assert page_graph.get(f"{CMS}/commerce_orders").json()["data"][0]["id"] == "2600000000000001"
    assert user.get("me").json() == {"id": USER, "name": "Robin Tester"}


def test_pages_not_granted_are_not_listed_or_reachable(client, world):
    response = client.post(DIALOG, {**dialog_params(), "user": USER, "decision": "continue"})  # no page ticked
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    user = Graph(client, exchange(client, code).json()["access_token"])
    assert user.get("me/accounts").json() == {"data": []}
    assert error_of(user.get(f"{CMS}/commerce_orders"))["error_subcode"] == 33


def test_me_accounts_without_pages_show_list_is_empty(client, world):
    code = authorize(client, scope="commerce_account_read_orders")["code"]
    user = Graph(client, exchange(client, code).json()["access_token"])
    assert user.get("me/accounts").json() == {"data": []}
    assert user.get(f"{CMS}/commerce_orders").status_code == 200
