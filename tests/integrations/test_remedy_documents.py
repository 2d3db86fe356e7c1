"""The remedy documents use nothing deprecated in 2026-10 (e.g. `context`, never `customerSelection`), and
the inputs the typed specs build coerce to the schema's input types."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from graphql import GraphQLNonNull, parse, specified_rules, validate
from graphql.utilities import validate_input_value
from graphql.validation import NoDeprecatedCustomRule

from orderguard.integrations.shopify.documents import all_documents
from orderguard.integrations.shopify.draft_types import (
    AppliedDiscount,
    DiscountCodeSpec,
    DraftOrderLine,
    DraftOrderSpec,
    MailingAddress,
    variant_gid,
)
from orderguard.sandbox.shopify.schema import admin_schema as schema

REMEDY_DOCUMENTS = ["draft_order_create", "draft_order_invoice_send", "draft_order", "draft_orders_by_tag",
                    "product_variants_by_ids", "product_variants_by_sku", "discount_code_create", "discount_code_by_code"]


@pytest.mark.parametrize("name", REMEDY_DOCUMENTS)
def test_remedy_document_uses_nothing_deprecated(name):
    errors = validate(schema(), parse(all_documents()[name]), [*specified_rules, NoDeprecatedCustomRule])
    assert errors == [], [error.message for error in errors]


def test_the_check_flags_the_deprecated_customer_selection():
    document = """mutation { discountCodeBasicCreate(basicCodeDiscount: {customerSelection: {all: true}}) { userErrors { message } } }"""
    assert validate(schema(), parse(document), [NoDeprecatedCustomRule])


def _coerce(type_name: str, value: dict) -> list[str]:
    errors: list[str] = []
    validate_input_value(value, GraphQLNonNull(schema().get_type(type_name)), lambda error, path: errors.append(str(error)))
    return errors


def test_a_full_draft_order_spec_coerces_to_draft_order_input():
    spec = DraftOrderSpec(
        lines=(DraftOrderLine(variant_gid(1), 2),),
        email="b@marketplace.facebook.com", note="n", tags=("orderguard",), custom_attributes=(("orderguard_meta_order_id", "1"),),
        shipping_address=MailingAddress(first_name="A", last_name="B", address1="x", city="Austin", province_code="TX", zip="1", country_code="US"),
        applied_discount=AppliedDiscount(value=Decimal("10"), title="Sorry"), presentment_currency_code="USD",
        reserve_inventory_until=datetime(2026, 12, 8, tzinfo=UTC),
    )
    assert _coerce("DraftOrderInput", spec.to_input()) == []


@pytest.mark.parametrize("kwargs", [{"percentage": Decimal("0.10"), "variant_ids": (variant_gid(1),)}, {"amount": Decimal("5.00")}])
def test_a_discount_code_spec_coerces_to_discount_code_basic_input(kwargs):
    spec = DiscountCodeSpec(code="OG-1", title="t", starts_at=datetime(2026, 12, 1, tzinfo=UTC), ends_at=datetime(2026, 12, 8, tzinfo=UTC), **kwargs)
    assert _coerce("DiscountCodeBasicInput", spec.to_input()) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda: DraftOrderSpec(lines=()).to_input(),
        lambda: DraftOrderLine(variant_gid(1), 0).to_input(),
        lambda: AppliedDiscount(value=Decimal(1), value_type="HALF").to_input(),
        lambda: DiscountCodeSpec(code="c", title="t", starts_at=datetime(2026, 12, 1, tzinfo=UTC)).to_input(),
        lambda: DiscountCodeSpec(code="c", title="t", starts_at=datetime(2026, 12, 1, tzinfo=UTC), percentage=Decimal(10)).to_input(),
        lambda: DiscountCodeSpec(code="c", title="t", starts_at=datetime(2026, 12, 1), amount=Decimal(1)).to_input(),
    ],
)
def test_specs_refuse_what_shopify_would(build):
    with pytest.raises(ValueError):
        build()
