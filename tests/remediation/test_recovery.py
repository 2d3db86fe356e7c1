"""Recovery: the buyer pays the store link (a draft order) of a cancel-and-link remedy in the sandbox's
checkout; Shopify's draft_orders/update and orders/create both tell the app, in any order, and the stuck
order is recovered once, with the new Shopify order, in its timeline and on the page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from orderguard.integrations.shopify.draft_types import DraftOrderLine, DraftOrderSpec, variant_gid
from orderguard.orders.models import SocialOrder, SocialOrderEvent
from orderguard.remediation.models import RemediationAction
from orderguard.sandbox.shopify import webhooks as sender
from orderguard.sandbox.shopify.draft_models import SandboxDraftOrder, SandboxProductVariant
from orderguard.sandbox.shopify.drafts import draft_order_complete
from orderguard.shops import webhooks
from orderguard.shops.models import Shop, WebhookDelivery
from tests.factories import make_social_order
from tests.helpers import SHOP_A, make_sandbox_shop, open_app, sandbox_admin_client

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

META_ID = "2904417823351288"


@pytest.fixture
def store_link(app_server, client):
    """A stuck order of an installed shop, cancelled by a remedy that created a draft order for the buyer."""
    sandbox_shop = make_sandbox_shop(SHOP_A)
    assert open_app(client).status_code == 200
    shop = Shop.objects.get(domain=SHOP_A)
    SandboxProductVariant.objects.create(shop=sandbox_shop, numeric_id=501, product_numeric_id=50, product_title="Trail Jacket", sku="MM-JKT-1", price=Decimal("54.00"))
    created = sandbox_admin_client(sandbox_shop).draft_order_create(DraftOrderSpec(
        lines=(DraftOrderLine(variant_gid(501), 1),), tags=(f"orderguard-meta-{META_ID}",), custom_attributes=(("Meta order", META_ID),)))
    order = make_social_order(shop=shop, meta_order_id=META_ID, status="missing_from_shopify", reason="not_in_shopify", age=timedelta(days=2),
                              amount="60.00", currency="EUR", meta_cancelled=True)
    RemediationAction.objects.create(shop=shop, order=order, kind=RemediationAction.Kind.CANCEL_AND_LINK, idempotency_key="cancel-link-key-00000001",
                                     step="done", result={"draft_order_id": created.id, "invoice_url": created.invoice_url})
    return order, SandboxDraftOrder.objects.get(numeric_id=int(created.id.rsplit("/", 1)[1]))


def _process(topic: str) -> list[str]:
    return [webhooks.webhook_delivery_process(delivery_id=pk) for pk in WebhookDelivery.objects.filter(topic=topic).values_list("pk", flat=True)]


@pytest.mark.parametrize("first", ["draft_orders/update", "orders/create"])
def test_both_webhooks_recover_the_order_once(store_link, first):
    order, draft = store_link
    shopify_order = draft_order_complete(draft=draft)  # the buyer paid: the sandbox sends both webhooks
    second = "orders/create" if first == "draft_orders/update" else "draft_orders/update"

    outcomes = _process(first) + _process(second)

    order.refresh_from_db()
    assert any("recovered" in outcome and "already" not in outcome for outcome in outcomes)
    assert any("already recovered" in outcome for outcome in outcomes)
    assert (order.recovered_order_id, order.recovered_order_name) == (shopify_order.gid, shopify_order.name)
    assert (order.recovered_amount, order.recovered_currency) == (Decimal("54.00"), "EUR")
    assert SocialOrderEvent.objects.filter(order=order, kind="remedy", to_value="recovered").count() == 1


def test_a_draft_found_by_its_tag_when_the_result_has_no_draft_id(store_link):
    order, draft = store_link
    RemediationAction.objects.filter(order=order).update(result={})
    draft_order_complete(draft=draft)
    assert _process("draft_orders/update") == [f"recovered: Meta order {META_ID}"]
    order.refresh_from_db()
    assert order.recovered_at is not None


def test_an_open_draft_or_a_stranger_draft_recovers_nothing(store_link):
    order, draft = store_link
    payload = sender.for_shop(sender.example_payload("draft_orders/update"), SHOP_A)  # Shopify's example: an open draft
    assert sender.deliver(sender.sign(topic="draft_orders/update", shop_domain=SHOP_A, payload=payload)).status_code == 200
    payload.update(status="completed", order_id=123, id=99, admin_graphql_api_id="gid://shopify/DraftOrder/99", tags="vip", note_attributes=[])
    assert sender.deliver(sender.sign(topic="draft_orders/update", shop_domain=SHOP_A, payload=payload)).status_code == 200
    assert _process("draft_orders/update") == ["ignored: draft not completed", "ignored: not an OrderGuard store link"]
    order.refresh_from_db()
    assert order.recovered_at is None


def test_the_orders_page_counts_it_recovered_not_lost(store_link, client):
    order, draft = store_link
    SocialOrder.objects.filter(pk=order.pk).update(status="fine", needs_action=False)
    draft_order_complete(draft=draft)
    _process("orders/create")
    page = open_app(client, SHOP_A, "/app/").content.decode()
    assert 'data-testid="revenue-recovered"><span>€54.00</span>' in page
    assert 'data-testid="revenue-lost">—' in page
