"""State of the stand-in platforms (stored in the "sandbox" database).

Shopify: shops, the app's installation and its tokens, and the shops' orders. Meta: see the meta models
(orderguard/sandbox/meta/models.py, imported at the end so Django registers them). Every call the app
makes is logged in SandboxCall, which tests and benchmarks count.
"""

from __future__ import annotations

from django.db import models


class SandboxShop(models.Model):
    domain = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255)
    email = models.CharField(max_length=255, blank=True)
    currency_code = models.CharField(max_length=3, default="USD")
    iana_timezone = models.CharField(max_length=64, default="America/New_York")
    primary_domain_url = models.CharField(max_length=255, blank=True)
    plan_name = models.CharField(max_length=64, default="Basic")
    # Managed installation: Shopify installs the app when the merchant first opens it.
    app_installed = models.BooleanField(default=False)
    granted_scopes = models.TextField(blank=True)
    # Leaky bucket of the Admin GraphQL API (Standard plan: 2000 points, 100 restored per second).
    throttle_maximum = models.FloatField(default=2000.0)
    throttle_restore_rate = models.FloatField(default=100.0)
    throttle_available = models.FloatField(default=2000.0)
    throttle_updated_at = models.DateTimeField(null=True, blank=True)
    # Injected faults, consumed one per request: {"graphql_throttled": n, "graphql_http_429": n,
    # "graphql_http_500": n, "graphql_slow": n, "token_http_500": n}.
    faults = models.JSONField(default=dict, blank=True)
    # Shopify's "Facebook & Instagram" sales channel (app 2329312) is installed: it shows in
    # shop.channelDefinitionsForInstalledChannels and imports the linked Meta accounts' orders.
    facebook_channel_installed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.domain

    @property
    def handle(self) -> str:
        return self.domain.removesuffix(".myshopify.com")

    @property
    def numeric_id(self) -> int:
        return 60000000000 + self.pk


class SandboxToken(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access"
        REFRESH = "refresh"

    shop = models.ForeignKey(SandboxShop, on_delete=models.CASCADE, related_name="tokens")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=128, unique=True)
    scope = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class SandboxCall(models.Model):
    """One request the app made to a stand-in platform."""

    platform = models.CharField(max_length=16)
    operation = models.CharField(max_length=128)
    account = models.CharField(max_length=255, blank=True, help_text="Shop domain or Meta account id.")
    status_code = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class SandboxMail(models.Model):
    """An email the app sent through the sandbox mailer (orderguard/sandbox/mail.py): the demo's outbox,
    shown at /_sandbox/mail/ instead of reaching anyone."""

    sender = models.CharField(max_length=320)
    to = models.TextField()
    reply_to = models.TextField(blank=True)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    message_id = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)


class SandboxShopifyOrder(models.Model):
    """An order of a sandbox shop, as the Admin GraphQL API shows it (the fields OrderGuard reads).

    Orders imported by the Facebook & Instagram channel look like research/fb-orders-in-shopify.md says:
    sourceName "2329312", sourceIdentifier "<meta order id>,<16 digits>", customAttributes "Channel" and
    "Facebook Order ID", AUTHORIZED and UNFULFILLED.
    """

    shop = models.ForeignKey(SandboxShop, on_delete=models.CASCADE, related_name="orders")
    numeric_id = models.BigIntegerField(unique=True)
    order_number = models.PositiveIntegerField()
    name = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    source_name = models.CharField(max_length=64, default="web")
    source_identifier = models.CharField(max_length=255, blank=True)
    note = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    custom_attributes = models.JSONField(default=list, blank=True, help_text='[{"key": ..., "value": ...}]')
    financial_status = models.CharField(max_length=32, default="PAID")
    fulfillment_status = models.CharField(max_length=32, default="UNFULFILLED")
    total_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency_code = models.CharField(max_length=3, default="USD")
    channel_handle = models.CharField(max_length=64, blank=True)
    channel_name = models.CharField(max_length=128, blank=True)
    sub_channel_name = models.CharField(max_length=128, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "order_number"], name="sandbox_order_number_per_shop")]

    def __str__(self) -> str:
        return f"{self.shop.domain} {self.name}"

    @property
    def gid(self) -> str:
        return f"gid://shopify/Order/{self.numeric_id}"


# The Meta stand-in's models live in their own module; importing them here registers them with Django.
from orderguard.sandbox.meta.models import (  # noqa: E402,F401
    MetaCommerceAccount,
    MetaIdempotencyRecord,
    MetaOAuthCode,
    MetaOrder,
    MetaToken,
    MetaUser,
)
from orderguard.sandbox.shopify.draft_models import (  # noqa: E402,F401
    SandboxDiscountCode,
    SandboxDraftOrder,
    SandboxInvoiceEmail,
    SandboxProductVariant,
)
from orderguard.sandbox.health_models import MetaSalesChannels, SandboxShopHealth  # noqa: E402,F401
