"""The sandbox's draft-order checkout: the simulated buyer pays a draft's invoice link, which completes the
draft once, creates a paid Shopify order, and sends orders/create to the app."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings

from orderguard.integrations.shopify.draft_types import DraftOrderLine, DraftOrderSpec, variant_gid
from orderguard.sandbox.models import SandboxShopifyOrder
from orderguard.sandbox.shopify.draft_models import SandboxDraftOrder, SandboxProductVariant
from orderguard.sandbox.shopify.drafts import DraftCheckoutError, draft_order_complete
from orderguard.shops.models import WebhookDelivery
from tests.helpers import SHOP_A, make_sandbox_shop, open_app, sandbox_calls, sandbox_admin_client

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


@pytest.fixture
def draft(app_server, client):
    shop = make_sandbox_shop(SHOP_A)
    assert open_app(client).status_code == 200  # the app is installed, so it accepts the shop's webhooks
    SandboxProductVariant.objects.create(shop=shop, numeric_id=501, product_numeric_id=50, product_title="Straw hat", sku="HAT-1", price=Decimal("25.00"))
    created = sandbox_admin_client(shop).draft_order_create(DraftOrderSpec(lines=(DraftOrderLine(variant_gid(501), 2),), tags=("orderguard-meta-1",),
                                                              custom_attributes=(("orderguard_meta_order_id", "1"),)))
    return SandboxDraftOrder.objects.get(numeric_id=int(created.id.rsplit("/", 1)[1]))


def _path(draft: SandboxDraftOrder) -> str:
    return f"/_sandbox/shopify/{SHOP_A}/{draft.shop.numeric_id}/invoices/{draft.invoice_token}"


def test_paying_completes_the_draft_once_and_sends_orders_create(draft, client):
    page = client.get(_path(draft))
    assert page.status_code == 200 and b"2 &times; Straw hat" in page.content and b"50.00" in page.content

    assert client.post(_path(draft)).status_code == 200
    assert client.post(_path(draft)).status_code == 200  # a second click pays nothing more

    draft.refresh_from_db()
    order = SandboxShopifyOrder.objects.get()
    assert draft.status == "COMPLETED" and draft.order == order and draft.completed_at is not None
    assert (order.source_name, order.financial_status, order.total_amount) == ("shopify_draft_order", "PAID", Decimal("50.00"))
    assert {"key": "orderguard_meta_order_id", "value": "1"} in order.custom_attributes
    delivery = WebhookDelivery.objects.get(topic="orders/create")
    assert delivery.shop_domain == SHOP_A
    assert sandbox_calls("checkout:pay", SHOP_A) == 2


def test_a_draft_whose_variant_was_deleted_cannot_be_paid(draft, client):
    SandboxProductVariant.objects.all().delete()
    response = client.post(_path(draft))
    assert response.status_code == 409 and b"No longer available: Straw hat" in response.content
    with pytest.raises(DraftCheckoutError):
        draft_order_complete(draft=draft, notify=False)
    assert not SandboxShopifyOrder.objects.exists()


def test_an_unknown_invoice_link_is_not_found(draft, client):
    assert client.get(f"/_sandbox/shopify/{SHOP_A}/{draft.shop.numeric_id}/invoices/nope").status_code == 404
    assert client.get(f"/_sandbox/shopify/{SHOP_A}/1/invoices/{draft.invoice_token}").status_code == 404


def test_the_invoice_url_points_at_the_sandbox_shop_origin(draft):
    assert sandbox_admin_client(draft.shop).draft_order(draft.gid).invoice_url == f"{settings.APP_URL}{_path(draft)}"
