"""Bad input gets a clear 4xx, never a 500 (issue 8, items 4b and 4c): validly signed but malformed
webhooks and ID tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from django.conf import settings

from orderguard.integrations.shopify.auth import InvalidIdToken, verify_id_token, webhook_signature
from orderguard.shops.models import Shop, WebhookDelivery
from tests.helpers import SHOP_A, id_token_claims, make_sandbox_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def _signed_token(claims: dict) -> str:
    """An HS256 token signed with the app's secret, whatever the claims' types (PyJWT's encoder would
    refuse some of them)."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    signing_input = f"{part(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{part(json.dumps(claims).encode())}"
    signature = hmac.new(settings.SHOPIFY_API_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{part(signature)}"


@pytest.mark.parametrize("depth", [50_000, 2_000])
def test_a_signed_webhook_nested_too_deeply_is_400_and_stores_nothing(client, depth):
    body = ('{"a":' * depth + "1" + "}" * depth).encode()
    response = client.post(
        "/webhooks/orders/create", data=body, content_type="application/json",
        headers={"X-Shopify-Hmac-Sha256": webhook_signature(body, settings.SHOPIFY_API_SECRET),
                 "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": SHOP_A},
    )
    assert response.status_code == 400 and b"nested too deeply" in response.content
    assert not WebhookDelivery.objects.exists()


def test_a_signed_webhook_with_a_nul_in_a_string_is_400_and_stores_nothing(client):
    # PostgreSQL's jsonb refuses \u0000; no Shopify payload carries one.
    body = b'{"id": 1, "note": "a\\u0000b"}'
    response = client.post(
        "/webhooks/orders/create", data=body, content_type="application/json",
        headers={"X-Shopify-Hmac-Sha256": webhook_signature(body, settings.SHOPIFY_API_SECRET),
                 "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": SHOP_A},
    )
    assert response.status_code == 400 and b"NUL" in response.content
    assert not WebhookDelivery.objects.exists()


MALFORMED_CLAIMS = {
    "dest a list": {"dest": [f"https://{SHOP_A}"]},
    "dest an object": {"dest": {"url": f"https://{SHOP_A}"}},
    "dest a number": {"dest": 5},
    "iss a list": {"iss": [f"https://{SHOP_A}/admin"]},
    "iss a number": {"iss": 7},
    "sub a list": {"sub": ["42"]},
    "sid an object": {"sid": {"a": 1}},
    "jti a number": {"jti": 12},
    "exp beyond any date": {"exp": 10**30},
    "exp a boolean": {"exp": True},
}


@pytest.mark.parametrize("overrides", MALFORMED_CLAIMS.values(), ids=MALFORMED_CLAIMS.keys())
def test_a_signed_id_token_with_malformed_claims_is_an_invalid_token(overrides):
    with pytest.raises(InvalidIdToken):
        verify_id_token(_signed_token(id_token_claims(SHOP_A, **overrides)),
                        client_id=settings.SHOPIFY_API_KEY, secret=settings.SHOPIFY_API_SECRET)


@pytest.mark.parametrize("overrides", MALFORMED_CLAIMS.values(), ids=MALFORMED_CLAIMS.keys())
def test_a_signed_id_token_with_malformed_claims_gets_401_or_the_bounce_page(client, app_server, overrides):
    make_sandbox_shop(SHOP_A)
    token = _signed_token(id_token_claims(SHOP_A, **overrides))
    fetch = client.get("/app/", headers={"Authorization": f"Bearer {token}", "HX-Request": "true"})
    assert fetch.status_code == 401 and fetch["X-Shopify-Retry-Invalid-Session-Request"] == "1"
    page = client.get("/app/", {"embedded": "1", "shop": SHOP_A, "id_token": token})
    assert page.status_code == 302 and page["Location"].startswith("/auth/patch-id-token?")
    assert not Shop.objects.exists()
