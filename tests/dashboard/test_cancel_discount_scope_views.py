"""The cancel form's discount-codes notice after App Bridge's grant dialog answered, over HTTP and the
sandbox's Admin API: the server reads the scopes from Shopify (never the browser's word), records them and
redraws only the notice, so the form goes on as the merchant filled it in; a failure is a clear message."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from orderguard.sandbox.models import SandboxToken
from orderguard.sandbox.shopify.tokens import optional_scopes_grant
from orderguard.shops.models import Shop
from tests.helpers import bearer
from tests.remedies import ONE_ITEM, stuck_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

URL = "/app/orders/cancel/discount-scope"


@pytest.fixture
def stuck(client, app_server):
    return stuck_shop(client=client)


def _review_cart_link_with_discount(client, stuck):
    order = stuck.order(ONE_ITEM)
    form = client.get(f"/app/orders/{order.pk}/cancel/form", headers=bearer(stuck.shop.domain)).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', form).group(1)
    data = {"key": key, "reason": "OUT_OF_STOCK", "description": "Sorry", "message": "Here", "link": "cart", "send_by": "app_email", "discount": "10%"}
    return client.post(f"/app/orders/{order.pk}/cancel/review", data, headers=bearer(stuck.shop.domain))


def _scopes(stuck) -> list[str]:
    return Shop.objects.get(pk=stuck.shop.pk).scopes.split(",")


def test_a_grant_is_read_from_shopify_and_the_review_goes_on_without_waiting_for_the_webhook(client, stuck):
    assert _review_cart_link_with_discount(client, stuck).status_code == 422
    optional_scopes_grant(shop=stuck.sandbox_shop, scopes=["write_discounts"])  # the admin's grant dialog
    assert "write_discounts" not in _scopes(stuck)  # no app/scopes_update webhook processed

    response = client.post(URL, headers=bearer(stuck.shop.domain))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="cancel-discount-scope-granted"' in body and "cancel-approve-discounts" not in body
    assert "write_discounts" in _scopes(stuck)
    review = _review_cart_link_with_discount(client, stuck)
    assert review.status_code == 200 and "as a single-use discount code" in review.content.decode()


def test_a_grant_the_browser_claims_but_shopify_does_not_hold_changes_nothing(client, stuck):
    before = _scopes(stuck)

    response = client.post(URL, headers=bearer(stuck.shop.domain))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="cancel-approve-discounts"' in body and "cancel-discount-scope-granted" not in body
    assert sorted(_scopes(stuck)) == sorted(before) and "write_discounts" not in before
    assert _review_cart_link_with_discount(client, stuck).status_code == 422


def test_shopify_refusing_the_token_is_a_clear_message_and_the_button_stays(client, stuck):
    before = _scopes(stuck)
    SandboxToken.objects.filter(shop=stuck.sandbox_shop).update(revoked_at=timezone.now())

    response = client.post(URL, headers=bearer(stuck.shop.domain))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="cancel-discount-scope-error"' in body and 'data-testid="cancel-approve-discounts"' in body
    assert "Shopify" in response.headers["HX-Trigger"] and '"error": true' in response.headers["HX-Trigger"]
    assert sorted(_scopes(stuck)) == sorted(before)


def test_only_a_post_from_the_app_reaches_it(client, stuck):
    assert client.get(URL, headers=bearer(stuck.shop.domain)).status_code == 405
    assert client.post(URL).status_code in (401, 403)


def test_an_answer_with_no_scopes_at_all_keeps_the_recorded_ones(client, stuck):
    before = _scopes(stuck)
    stuck.sandbox_shop.granted_scopes = ""
    stuck.sandbox_shop.save(update_fields=["granted_scopes"])

    response = client.post(URL, headers=bearer(stuck.shop.domain))

    assert response.status_code == 200
    assert 'data-testid="cancel-discount-scope-error"' in response.content.decode()
    assert sorted(_scopes(stuck)) == sorted(before) and "read_orders" in before
