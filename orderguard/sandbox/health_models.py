"""Sandbox state only the health checks read (sandbox database; registered through models.py): the
shop's shipping zones, Shopify Payments and which variants are off the Facebook & Instagram channel, and
the status of a commerce account's Facebook and Instagram sales channels on Meta.

A shop or account without a row is healthy: ships everywhere, Payments active, every variant published,
both sales channels ENABLED.
"""

from __future__ import annotations

from django.db import models


class SandboxShopHealth(models.Model):
    shop = models.OneToOneField("sandbox.SandboxShop", on_delete=models.CASCADE, related_name="health")
    # Countries with an active shipping rate; empty with ships_rest_of_world True ships everywhere.
    ships_to_countries = models.JSONField(default=list, blank=True)
    ships_rest_of_world = models.BooleanField(default=True)
    shopify_payments_active = models.BooleanField(default=True)
    # Numeric ids of variants whose product is not published to the Facebook & Instagram channel.
    unpublished_variant_ids = models.JSONField(default=list, blank=True)

    class Meta:
        app_label = "sandbox"


class MetaSalesChannels(models.Model):
    class Status(models.TextChoices):
        ENABLED = "ENABLED"
        DISABLED = "DISABLED"
        STAGING = "STAGING"

    account = models.OneToOneField("sandbox.MetaCommerceAccount", on_delete=models.CASCADE, related_name="sales_channels")
    facebook = models.CharField(max_length=16, choices=Status.choices, default=Status.ENABLED)
    instagram = models.CharField(max_length=16, choices=Status.choices, default=Status.ENABLED)

    class Meta:
        app_label = "sandbox"
