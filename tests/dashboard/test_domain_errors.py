"""Platform failures reach the merchant as the project's own errors, in their language: the services turn
the clients' errors into domain errors (orderguard.core.exceptions) and the views show their message.
End to end through the sandbox platforms over HTTP."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.services import MetaLoginIncomplete, meta_login_exchange
from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.meta import faults
from orderguard.sandbox.meta.models import MetaCommerceAccount
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.scenarios.loader import load_file
from orderguard.shops.models import Shop
from tests.helpers import SHOP_A, bearer, make_sandbox_shop, open_app

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


@pytest.fixture
def installed_shop(client, app_server) -> Shop:
    make_sandbox_shop(SHOP_A, name="Alpha Goods", currency="EUR")
    assert open_app(client, SHOP_A).status_code == 200
    return Shop.objects.get(domain=SHOP_A)


@pytest.fixture
def unconnected(client, app_server):
    """The broken-channel scenario's shop, installed, with a system-user token for its account."""
    result = load_file("broken-channel")
    SandboxShop.objects.filter(domain=result.shop).update(app_installed=True, granted_scopes=app_toml_scopes())
    assert open_app(client, result.shop).status_code == 200
    return result.shop, result.tokens[0]


def _meta_server_errors(cms_id: str) -> None:
    fault = faults.make(kind="server_error", now=timezone.now(), times=10)
    MetaCommerceAccount.objects.filter(pk=cms_id).update(faults=[fault])


@pytest.mark.parametrize("language, text", [("en", b"Shopify did not answer. Nothing changed"), ("nl", b"Shopify reageerde niet.")])
def test_shopify_failing_on_refresh_shows_the_merchant_message_in_their_language(client, installed_shop, language, text):
    SandboxShop.objects.filter(domain=SHOP_A).update(faults={"graphql_http_500": 10})
    response = client.post("/app/shop/sync", headers={**bearer(SHOP_A), "X-OrderGuard-Locale": language})
    assert response.status_code == 502
    assert text in response.content and b'role="alert"' in response.content
    assert "og:toast" in response["HX-Trigger"]


@pytest.mark.parametrize("language, text", [("en", b"Meta could not be reached. Nothing was changed"), ("nl", b"Meta is niet bereikbaar.")])
def test_meta_failing_while_connecting_a_token_is_explained_and_nothing_is_stored(client, unconnected, language, text):
    shop_domain, token = unconnected
    _meta_server_errors(token.accounts[0])
    response = client.post("/app/meta/token", {"commerce_account_id": token.accounts[0], "access_token": token.value},
                           headers={**bearer(shop_domain), "X-OrderGuard-Locale": language})
    assert response.status_code == 422
    assert text in response.content and b'id="token-error"' in response.content
    assert not MetaConnection.objects.exists()


def test_connect_meta_reports_meta_failing_as_a_command_error(unconnected, tmp_path):
    shop_domain, token = unconnected
    _meta_server_errors(token.accounts[0])
    token_file = tmp_path / "token"
    token_file.write_text(token.value)
    with pytest.raises(CommandError, match="Meta could not be reached or refused the request"):
        call_command("connect_meta", shop_domain, "--cms-id", token.accounts[0], "--token-file", str(token_file))
    assert not MetaConnection.objects.exists()


def test_a_facebook_login_code_meta_refuses_is_a_domain_error(app_server):
    with pytest.raises(MetaLoginIncomplete) as failure:
        meta_login_exchange(code="not-a-code-meta-issued", redirect_uri=f"{app_server.url}/meta/login/callback")
    assert str(failure.value).startswith("Facebook did not complete the login (") and failure.value.code == "meta_login_incomplete"
    assert failure.value.detail and not failure.value.retryable
