"""Sandbox Shopify state for the remedies: product variants, draft orders, the invoice emails Shopify
sent for them, and discount codes (sandbox database; registered through orderguard/sandbox/models.py).
"""

from __future__ import annotations

from django.db import models


class SandboxProductVariant(models.Model):
    """A product variant (with its product's fields inline). Deleting the row deletes the variant."""

    shop = models.ForeignKey("sandbox.SandboxShop", on_delete=models.CASCADE, related_name="variants")
    numeric_id = models.BigIntegerField(unique=True)
    product_numeric_id = models.BigIntegerField()
    product_title = models.CharField(max_length=255)
    product_status = models.CharField(max_length=16, default="ACTIVE")  # ACTIVE, ARCHIVED, DRAFT
    title = models.CharField(max_length=255, default="Default Title")
    sku = models.CharField(max_length=255, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    inventory_quantity = models.IntegerField(default=10)

    class Meta:
        app_label = "sandbox"

    @property
    def gid(self) -> str:
        return f"gid://shopify/ProductVariant/{self.numeric_id}"


class SandboxDraftOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "OPEN"
        INVOICE_SENT = "INVOICE_SENT"
        COMPLETED = "COMPLETED"

    shop = models.ForeignKey("sandbox.SandboxShop", on_delete=models.CASCADE, related_name="draft_orders")
    numeric_id = models.BigIntegerField(unique=True)
    number = models.PositiveIntegerField()
    # The secret part of the invoice URL, as in Shopify's /<shop id>/invoices/<token>.
    invoice_token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    email = models.CharField(max_length=255, blank=True)
    note = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    custom_attributes = models.JSONField(default=list, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    applied_discount = models.JSONField(null=True, blank=True)
    # [{"variant_id", "title", "sku", "quantity", "price"}]
    line_items = models.JSONField(default=list)
    currency_code = models.CharField(max_length=3, default="USD")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    invoice_sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    order = models.OneToOneField(
        "sandbox.SandboxShopifyOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="draft_order"
    )

    class Meta:
        app_label = "sandbox"
        constraints = [models.UniqueConstraint(fields=["shop", "number"], name="sandbox_draft_number_per_shop")]

    @property
    def gid(self) -> str:
        return f"gid://shopify/DraftOrder/{self.numeric_id}"

    @property
    def name(self) -> str:
        return f"#D{self.number}"


class SandboxInvoiceEmail(models.Model):
    """An invoice email Shopify sent for a draft order (draftOrderInvoiceSend): what a demo shows."""

    draft_order = models.ForeignKey(SandboxDraftOrder, on_delete=models.CASCADE, related_name="invoice_emails")
    to = models.CharField(max_length=255)
    sender = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    custom_message = models.TextField(blank=True)
    invoice_url = models.CharField(max_length=500)
    sent_at = models.DateTimeField()

    class Meta:
        app_label = "sandbox"


class SandboxDiscountCode(models.Model):
    shop = models.ForeignKey("sandbox.SandboxShop", on_delete=models.CASCADE, related_name="discount_codes")
    numeric_id = models.BigIntegerField(unique=True)
    code = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    applies_once_per_customer = models.BooleanField(default=False)
    customer_gets = models.JSONField(default=dict)
    # Orders that used the code (the simulated buyer's cart checkout): at usage_limit it is refused.
    times_used = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "sandbox"
        constraints = [models.UniqueConstraint(fields=["shop", "code"], name="sandbox_discount_code_per_shop")]

    @property
    def gid(self) -> str:
        return f"gid://shopify/DiscountCodeNode/{self.numeric_id}"
