"""Cross-cutting models: the shop-scoped base and the lease behind single-flight locks."""

from __future__ import annotations

from django.db import models


class ShopScopedModel(models.Model):
    """A row that belongs to one shop. shop/redact erases every model that has a foreign key to Shop,
    this base included (orderguard.shops.compliance derives the list from the models)."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Lease(models.Model):
    """A named lock with an expiry, held by one owner at a time (see orderguard.core.locks).

    It lives in the database so that it works across processes on SQLite and PostgreSQL alike, without
    depending on Redis being present in the embedded default.
    """

    key = models.CharField(max_length=200, unique=True)
    owner = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} until {self.expires_at:%H:%M:%S}"


class PlatformSignal(ShopScopedModel):
    """The latest deprecation signal a platform's response carried for a shop (orderguard.core.platform_signals):
    Shopify's X-Shopify-API-Deprecated-Reason, or Meta answering with another Graph API version than asked."""

    class Platform(models.TextChoices):
        SHOPIFY = "shopify", "Shopify"
        META = "meta", "Meta"

    platform = models.CharField(max_length=16, choices=Platform.choices)
    signal = models.CharField(max_length=300)
    call = models.CharField(max_length=120, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    times_seen = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "platform"], name="one_platform_signal_per_shop_and_platform")]

    def __str__(self) -> str:
        return f"{self.platform}: {self.signal}"
