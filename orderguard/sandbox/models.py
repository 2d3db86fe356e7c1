"""State of the stand-in platforms (stored in the "sandbox" database).

Shopify: shops, the app's installation and its tokens. Meta: see the meta models. Every call the app
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
    # "graphql_http_500": n, "token_http_500": n}.
    faults = models.JSONField(default=dict, blank=True)

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
