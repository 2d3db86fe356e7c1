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
