"""Remedy operations of the Admin client: draft orders (the direct store link), variant lookups and
discount codes. A mixin of ShopifyAdminClient, so callers get typed methods on the one client.

Writes go through `mutate` (retried only when Shopify proves nothing ran). A mutation that failed in
transit may still have run: the caller finds what it created by tag (`draft_orders_tagged`) or by code
(`discount_code_by_code`) before creating again. `userErrors` raise ShopifyUserError.
"""

from __future__ import annotations

from collections.abc import Iterable

from orderguard.integrations.shopify.draft_types import (
    DiscountCode,
    DiscountCodeSpec,
    DraftOrder,
    DraftOrderSpec,
    ProductVariant,
)
from orderguard.integrations.shopify.errors import ShopifyDiscountCodeTakenError, ShopifyUserError

NODES_PER_QUERY = 250  # Shopify's limit for input arrays
SEARCH_FIRST = 10  # a picker shows a handful; the merchant narrows the text instead of paging
SEARCH_MAX_CHARS = 100


class RemedyOperations:
    """Mixed into ShopifyAdminClient, which provides `query` and `mutate`."""

    # Draft orders
    # --------------------------------------------------------------------------------------------------

    def draft_order_create(self, spec: DraftOrderSpec) -> DraftOrder:
        response = self.mutate("draft_order_create", {"input": spec.to_input()})
        payload = response.data.get("draftOrderCreate") or {}
        _raise_user_errors(payload, "draftOrderCreate", response.request_id)
        return DraftOrder.from_node(payload["draftOrder"])

    def draft_order_invoice_send(
        self, draft_order_id: str, *, to: str = "", subject: str = "", custom_message: str = "", bcc: Iterable[str] = ()
    ) -> DraftOrder:
        """Shopify's invoice email (sent from the store's address) with the checkout link."""
        email = {"to": to, "subject": subject, "customMessage": custom_message, "bcc": list(bcc)}
        variables = {"id": draft_order_id, "email": {key: value for key, value in email.items() if value}}
        response = self.mutate("draft_order_invoice_send", variables)
        payload = response.data.get("draftOrderInvoiceSend") or {}
        _raise_user_errors(payload, "draftOrderInvoiceSend", response.request_id)
        return DraftOrder.from_node(payload["draftOrder"])

    def draft_order(self, draft_order_id: str) -> DraftOrder | None:
        """The draft, or None when it does not exist (deleted, or purged after a year)."""
        node = self.query("draft_order", {"id": draft_order_id}).data.get("draftOrder")
        return DraftOrder.from_node(node) if node else None

    def draft_orders_tagged(self, tag: str, *, first: int = 10) -> tuple[DraftOrder, ...]:
        data = self.query("draft_orders_by_tag", {"query": f"tag:{search_value(tag)}", "first": first}).data
        nodes = (data.get("draftOrders") or {}).get("nodes") or ()
        drafts = (DraftOrder.from_node(node) for node in nodes if node)
        return tuple(draft for draft in drafts if tag in draft.tags)  # search is fuzzy; tags are exact

    # Product variants
    # --------------------------------------------------------------------------------------------------

    def product_variants_by_ids(self, variant_ids: Iterable[str]) -> dict[str, ProductVariant]:
        """The variants that exist, by GID; ids of deleted (or foreign) variants are absent."""
        ids = list(dict.fromkeys(variant_ids))
        found: dict[str, ProductVariant] = {}
        for start in range(0, len(ids), NODES_PER_QUERY):
            nodes = self.query("product_variants_by_ids", {"ids": ids[start:start + NODES_PER_QUERY]}).data.get("nodes") or ()
            for node in nodes:
                if node and node.get("id"):
                    found[node["id"]] = ProductVariant.from_node(node)
        return found

    def product_variants_by_sku(self, sku: str) -> tuple[ProductVariant, ...]:
        """Variants whose SKU is exactly `sku` (Shopify's SKUs are case-sensitive; its search is not)."""
        nodes = (self.query("product_variants_by_sku", {"query": f"sku:{search_value(sku)}"}).data.get("productVariants") or {}).get("nodes") or ()
        return tuple(ProductVariant.from_node(node) for node in nodes if node and node.get("sku") == sku)

    def product_variants_search(self, text: str, *, first: int = SEARCH_FIRST) -> tuple[ProductVariant, ...]:
        """Variants matching the merchant's text (Shopify's default fields: titles, SKU). The text is one
        quoted term, so nothing in it (quotes, `OR`, `sku:*`) changes the query; blank text finds nothing."""
        phrase = search_phrase(text)
        if not phrase:
            return ()
        data = self.query("product_variants_search", {"query": phrase, "first": first}).data
        nodes = (data.get("productVariants") or {}).get("nodes") or ()
        return tuple(ProductVariant.from_node(node) for node in nodes if node and node.get("id"))

    # Discount codes (optional scope write_discounts)
    # --------------------------------------------------------------------------------------------------

    def discount_code_basic_create(self, spec: DiscountCodeSpec) -> DiscountCode:
        response = self.mutate("discount_code_create", {"basicCodeDiscount": spec.to_input()})
        payload = response.data.get("discountCodeBasicCreate") or {}
        errors = payload.get("userErrors") or []
        if any(error.get("code") == "TAKEN" for error in errors):
            raise ShopifyDiscountCodeTakenError(_message("discountCodeBasicCreate", errors), user_errors=errors, request_id=response.request_id)
        _raise_user_errors(payload, "discountCodeBasicCreate", response.request_id)
        return DiscountCode.from_node(payload["codeDiscountNode"])

    def discount_code_by_code(self, code: str) -> DiscountCode | None:
        node = self.query("discount_code_by_code", {"code": code}).data.get("codeDiscountNodeByCode")
        return DiscountCode.from_node(node) if node else None


def search_value(value: str) -> str:
    """A value for Shopify's search syntax, quoted so spaces and colons stay part of it."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def search_phrase(text: str) -> str:
    """The merchant's free text as one quoted term of Shopify's search syntax, or "" when blank. Inside a
    quoted value `:`, `(`, `)`, `OR` and `*` are plain text (the grammar's value is "any quoted string"); only
    the quote and the backslash need escaping, which search_value does. Control characters and runs of
    whitespace become one space."""
    words = "".join(" " if ord(char) < 32 or char.isspace() else char for char in text).split()
    return search_value(" ".join(words)[:SEARCH_MAX_CHARS]) if words else ""


def _raise_user_errors(payload: dict, mutation: str, request_id: str | None) -> None:
    errors = payload.get("userErrors") or []
    if errors:
        raise ShopifyUserError(_message(mutation, errors), user_errors=errors, request_id=request_id)


def _message(mutation: str, errors: list[dict]) -> str:
    return f"{mutation}: " + "; ".join(str(error.get("message", "")) for error in errors)[:500]
