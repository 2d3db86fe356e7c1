"""The confirmation dialog's store-link choice over HTTP: a cart link shows what it will do, and a cart
link with a discount in a shop without write_discounts says what to approve (never a 500)."""

from __future__ import annotations

import re

import pytest

from orderguard.remediation.models import RemediationAction
from tests.helpers import bearer
from tests.remedies import ONE_ITEM, stuck_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


@pytest.fixture
def stuck(client, app_server):
    return stuck_shop(client=client)


def _form(client, stuck, order):
    html = client.get(f"/app/orders/{order.pk}/cancel/form", headers=bearer(stuck.shop.domain)).content.decode()
    return html, re.search(r'name="key" value="([^"]+)"', html).group(1)


def _review(client, stuck, order, key, **fields):
    data = {"key": key, "reason": "OUT_OF_STOCK", "description": "Sorry", "message": "Here", **fields}
    return client.post(f"/app/orders/{order.pk}/cancel/review", data, headers=bearer(stuck.shop.domain))


def test_the_dialog_offers_the_cart_link_and_asks_to_approve_discount_codes(client, stuck):
    order = stuck.order(ONE_ITEM)
    html, key = _form(client, stuck, order)
    assert 'data-testid="cancel-link-cart"' in html and 'data-testid="cancel-approve-discounts"' in html
    assert 'data-og-request-scopes="write_discounts"' in html

    refused = _review(client, stuck, order, key, link="cart", send_by="app_email", discount="10%")
    assert refused.status_code == 422 and "write_discounts" in refused.content.decode()
    assert 'data-testid="cancel-link-error"' in refused.content.decode()
    started = client.post(f"/app/orders/{order.pk}/cancel", {"key": key, "reason": "OUT_OF_STOCK", "link": "cart", "send_by": "app_email", "discount": "10%"},
                          headers=bearer(stuck.shop.domain))
    assert started.status_code == 409 and "write_discounts" in started.content.decode()
    assert not RemediationAction.objects.exists()


def test_a_cart_link_without_discount_shows_no_code_and_the_apps_own_email(client, stuck):
    order = stuck.order(ONE_ITEM)
    _html, key = _form(client, stuck, order)
    review = _review(client, stuck, order, key, link="cart", send_by="app_email")
    body = review.content.decode()
    assert review.status_code == 200 and "Make a cart permalink to your store with" in body
    assert "no discount code" in body and ("OrderGuard&#x27;s own email" in body or "OrderGuard's own email" in body)
    cart_with_invoice = _review(client, stuck, order, key, link="cart", send_by="shopify_invoice")
    assert cart_with_invoice.status_code == 422 and "has no Shopify invoice email" in cart_with_invoice.content.decode()
