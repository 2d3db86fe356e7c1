"""Shopify's real Admin GraphQL schema (2026-10), built once per process with graphql-core."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache

from django.conf import settings
from graphql import DocumentNode, GraphQLError, GraphQLSchema, build_client_schema, parse, validate


@lru_cache(maxsize=1)
def _introspection() -> dict:
    with gzip.open(settings.SANDBOX_SHOPIFY_SCHEMA_PATH) as file:
        return json.load(file)


@lru_cache(maxsize=1)
def admin_schema() -> GraphQLSchema:
    schema = build_client_schema(_introspection()["data"])
    # Shopify's schema breaks one graphql-js rule about deprecations on interface fields, which makes
    # validate() refuse the schema itself; documents are still checkable once that is cleared.
    schema._validation_errors = []
    return schema


@lru_cache(maxsize=1)
def type_scopes() -> dict[str, list[str]]:
    """Type name -> the offline access scopes that can read it (any one suffices); empty means none."""
    items = _introspection().get("offline_scopes", {}).get("items", [])
    return {item["typeName"]: item.get("offlineScopes") or [] for item in items if item.get("type") == "type"}


def parse_and_validate(document: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
    try:
        ast = parse(document)
    except GraphQLError as error:
        return None, [error]
    return ast, validate(admin_schema(), ast)
