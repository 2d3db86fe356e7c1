"""The remedy operations of the Admin client (draft orders, variants, discount codes) against the sandbox
Shopify over HTTP: typed results, userErrors, scopes, and finding what an earlier attempt created."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings

from orderguard.integrations.shopify.client import ShopifyAdminClient
from orderguard.integrations.shopify.draft_types import (
    AppliedDiscount,
    DiscountCodeSpec,
    DraftOrderLine,
    DraftOrderSpec,
    MailingAddress,
    variant_gid,
)
from orderguard.integrations.meta.types import MetaOrderItem
from orderguard.integrations.shopify.errors import (
    ShopifyDiscountCodeTakenError,
    ShopifyPermissionError,
    ShopifyTransientError,
    ShopifyUserError,
)
from orderguard.remediation.item_mapping import MatchedBy, UnmappedReason, map_items_with_client
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify import tokens as sandbox_tokens
from orderguard.sandbox.shopify.draft_models import SandboxDraftOrder, SandboxInvoiceEmail, SandboxProductVariant
from orderguard.sandbox.shopify.drafts import draft_order_complete
from orderguard.shops.shopify_app import shopify_http_client
from tests.helpers import SHOP_A, make_sandbox_shop, sandbox_admin_client, sandbox_calls

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

META_ORDER = "896997838783630"
TAG = f"orderguard-meta-{META_ORDER}"


@pytest.fixture
def shop(app_server):
    shop = make_sandbox_shop(SHOP_A, name="Alpha Goods", currency="EUR")
    SandboxProductVariant.objects.create(shop=shop, numeric_id=43794354536482, product_numeric_id=7956823048226,
                                         product_title="Linen shirt", title="M / Sand", sku="LIN-M-SAND", price=Decimal("49.00"))
    SandboxProductVariant.objects.create(shop=shop, numeric_id=43794354536483, product_numeric_id=7956823048226,
                                         product_title="Linen shirt", title="L / Sand", sku="lin-l-sand", price=Decimal("49.00"))
    return shop


def _spec(*, variant: str = variant_gid(43794354536482), quantity: int = 2, discount: AppliedDiscount | None = None) -> DraftOrderSpec:
    return DraftOrderSpec(
        lines=(DraftOrderLine(variant_id=variant, quantity=quantity),),
        email="n8miblde3i@marketplace.facebook.com",
        note=f"OrderGuard recovery for Meta order {META_ORDER}",
        tags=("orderguard", TAG),
        custom_attributes=(("orderguard_meta_order_id", META_ORDER),),
        shipping_address=MailingAddress(first_name="Sanne", last_name="de Vries", address1="Keizersgracht 1",
                                        city="Amsterdam", zip="1015 CJ", country_code="NL"),
        applied_discount=discount,
        presentment_currency_code="EUR",
        reserve_inventory_until=datetime(2026, 12, 8, tzinfo=UTC),
    )


def test_a_draft_order_is_created_with_its_link_tag_attribute_and_discount(shop):
    draft = sandbox_admin_client(shop).draft_order_create(_spec(discount=AppliedDiscount(value=Decimal("10"), title="Sorry for the trouble")))

    assert draft.id.startswith("gid://shopify/DraftOrder/") and draft.status == "OPEN"
    assert draft.invoice_url.startswith(f"{settings.SHOPIFY_API_BASE_URL}/{SHOP_A}/") and "/invoices/" in draft.invoice_url
    assert TAG in draft.tags and draft.attribute("orderguard_meta_order_id") == META_ORDER
    assert draft.note == f"OrderGuard recovery for Meta order {META_ORDER}"
    assert [(line.variant_id, line.quantity, line.sku) for line in draft.lines] == [(variant_gid(43794354536482), 2, "LIN-M-SAND")]
    assert (draft.total, draft.currency) == (Decimal("88.20"), "EUR")  # 2 x 49.00 less 10 %
    stored = SandboxDraftOrder.objects.get()
    assert stored.shipping_address["countryCode"] == "NL" and stored.email.endswith("@marketplace.facebook.com")


def test_a_deleted_variant_is_a_user_error_and_creates_nothing(shop):
    with pytest.raises(ShopifyUserError) as raised:
        sandbox_admin_client(shop).draft_order_create(_spec(variant=variant_gid(1)))
    assert raised.value.user_errors[0]["field"] == ["lineItems", "0", "variantId"]
    assert not SandboxDraftOrder.objects.exists()


def test_a_retry_finds_the_draft_by_its_tag_instead_of_creating_another(shop):
    client = sandbox_admin_client(shop)
    first = client.draft_order_create(_spec())
    client.draft_order_create(DraftOrderSpec(lines=(DraftOrderLine(variant_gid(43794354536483), 1),), tags=("orderguard-meta-1",)))

    assert [draft.id for draft in client.draft_orders_tagged(TAG)] == [first.id]
    assert client.draft_orders_tagged("orderguard-meta-nothing") == ()


def test_the_invoice_is_sent_with_the_custom_message_and_recorded(shop):
    client = sandbox_admin_client(shop)
    draft = client.draft_order_create(_spec())
    sent = client.draft_order_invoice_send(draft.id, subject="Complete your order", custom_message="Sorry: here is a direct link.")

    assert sent.status == "INVOICE_SENT" and sent.invoice_sent_at is not None
    email = SandboxInvoiceEmail.objects.get()
    assert (email.to, email.subject, email.custom_message) == (
        "n8miblde3i@marketplace.facebook.com", "Complete your order", "Sorry: here is a direct link.")
    assert email.invoice_url == draft.invoice_url


def test_reading_a_draft_shows_the_order_the_buyer_completed(shop, client):
    api = sandbox_admin_client(shop)
    draft = api.draft_order_create(_spec())
    assert api.draft_order(draft.id).order is None

    page = client.get(draft.invoice_url.removeprefix(settings.APP_URL))
    assert page.status_code == 200 and b"Pay now" in page.content
    paid = client.post(draft.invoice_url.removeprefix(settings.APP_URL))
    assert paid.status_code == 200 and b"is confirmed" in paid.content

    read = api.draft_order(draft.id)
    assert read.completed and read.completed_at is not None and read.order is not None and read.order.name.startswith("#")
    orders = api.query("social_orders", {"query": "source_name:shopify_draft_order"}).data["orders"]["nodes"]
    assert [order["id"] for order in orders] == [read.order.id]
    # Paying again changes nothing.
    assert draft_order_complete(draft=SandboxDraftOrder.objects.get(), notify=False).gid == read.order.id
    assert api.draft_order("gid://shopify/DraftOrder/1") is None


def test_variants_by_id_leave_out_deleted_ones(shop):
    SandboxProductVariant.objects.filter(numeric_id=43794354536483).delete()
    found = sandbox_admin_client(shop).product_variants_by_ids([variant_gid(43794354536482), variant_gid(43794354536483)])

    assert list(found) == [variant_gid(43794354536482)]
    variant = found[variant_gid(43794354536482)]
    assert (variant.sku, variant.price, variant.product_title, variant.product_status) == ("LIN-M-SAND", Decimal("49.00"), "Linen shirt", "ACTIVE")
    assert variant.display_name == "Linen shirt - M / Sand"


def test_variants_by_sku_keep_exact_case_sensitive_matches_only(shop):
    client = sandbox_admin_client(shop)
    assert [v.legacy_resource_id for v in client.product_variants_by_sku("LIN-M-SAND")] == ["43794354536482"]
    assert client.product_variants_by_sku("LIN-L-SAND") == ()  # Shopify's search finds "lin-l-sand"; SKUs are case-sensitive
    assert client.product_variants_by_sku('odd "sku" \\ value') == ()


def test_the_variant_search_sends_the_text_as_one_term_and_finds_titles_and_skus(shop):
    client = sandbox_admin_client(shop)
    assert [v.title for v in client.product_variants_search("linen")] == ["M / Sand", "L / Sand"]
    assert [v.sku for v in client.product_variants_search("  L / sand ")] == ["lin-l-sand"]
    assert [v.sku for v in client.product_variants_search("LIN-M")] == ["LIN-M-SAND"]
    assert client.product_variants_search('x" OR sku:* \\') == ()  # not "everything": the text stayed one term
    assert client.product_variants_search("   ") == ()
    assert sandbox_calls("graphql:OrderGuardProductVariantsSearch") == 4  # blank text asks nothing


def test_without_the_new_scopes_the_calls_are_permission_errors(shop):
    SandboxShop.objects.filter(pk=shop.pk).update(granted_scopes="read_orders")
    client = sandbox_admin_client(shop)
    with pytest.raises(ShopifyPermissionError):
        client.draft_order_create(_spec())
    with pytest.raises(ShopifyPermissionError):
        client.product_variants_by_ids([variant_gid(43794354536482)])
    with pytest.raises(ShopifyPermissionError):
        client.product_variants_by_sku("LIN-M-SAND")


def test_a_draft_create_that_fails_in_transit_is_not_retried(shop):
    SandboxShop.objects.filter(pk=shop.pk).update(faults={"graphql_http_500": 1})
    with pytest.raises(ShopifyTransientError):
        sandbox_admin_client(shop).draft_order_create(_spec())
    assert sandbox_calls("graphql", SHOP_A) == 1


def test_discount_codes_need_the_optional_scope_and_a_retry_finds_the_code(shop):
    spec = DiscountCodeSpec(code="OG-7K2M9QX4", title=f"OrderGuard recovery {META_ORDER}", starts_at=datetime.now(UTC) - timedelta(minutes=1),
                            ends_at=datetime.now(UTC) + timedelta(days=7), percentage=Decimal("0.10"), variant_ids=(variant_gid(43794354536482),))
    with pytest.raises(ShopifyPermissionError):
        sandbox_admin_client(shop).discount_code_basic_create(spec)

    SandboxShop.objects.filter(pk=shop.pk).update(granted_scopes=f"{shop.granted_scopes},write_discounts")
    client = sandbox_admin_client(shop)
    created = client.discount_code_basic_create(spec)
    assert (created.code, created.status, created.usage_limit) == ("OG-7K2M9QX4", "ACTIVE", 1)

    with pytest.raises(ShopifyDiscountCodeTakenError):
        client.discount_code_basic_create(spec)
    assert client.discount_code_by_code("OG-7K2M9QX4").id == created.id
    assert client.discount_code_by_code("OG-NONE") is None


def test_meta_items_map_to_sandbox_variants_through_the_client(shop):
    SandboxProductVariant.objects.create(shop=shop, numeric_id=43794354536490, product_numeric_id=7956823048230,
                                         product_title="Straw hat", sku="HAT-1", price=Decimal("25.00"))
    SandboxProductVariant.objects.filter(numeric_id=43794354536483).delete()
    items = [MetaOrderItem.from_api({"id": item_id, "retailer_id": retailer_id, "quantity": 1, "product_name": name}) for item_id, retailer_id, name in [
        ("1", "43794354536482", "Linen shirt M"),
        ("2", "shopify_NL_7956823048230_43794354536490", "Straw hat"),
        ("3", "HAT-1", "Straw hat"),
        ("4", "43794354536483", "Linen shirt L"),  # deleted since the order
    ]]
    mapping = map_items_with_client(items, client=sandbox_admin_client(shop))

    assert [(m.meta_item_id, m.variant.legacy_resource_id, m.matched_by) for m in mapping.mapped] == [
        ("1", "43794354536482", MatchedBy.VARIANT_ID), ("2", "43794354536490", MatchedBy.OFFER_ID), ("3", "43794354536490", MatchedBy.SKU)]
    assert [(u.meta_item_id, u.product_name, u.reason) for u in mapping.unmapped] == [("4", "Linen shirt L", UnmappedReason.NOT_FOUND)]
    assert sandbox_calls("graphql:OrderGuardProductVariantsByIds", SHOP_A) == 1
    assert sandbox_calls("graphql:OrderGuardProductVariantsBySku", SHOP_A) == 2  # HAT-1 and the deleted id
