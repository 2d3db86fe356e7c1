"""The tenant: a Shopify shop that installed OrderGuard, its offline token and its webhook deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orderguard.core.durable import DurableWork
from orderguard.core.fields import EncryptedTextField
from orderguard.core.models import ShopScopedModel


class Shop(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        # The refresh token was refused (invalid_grant): only the merchant opening the app again fixes it.
        NEEDS_REAUTH = "needs_reauth", "Needs the merchant to reopen the app"
        UNINSTALLED = "uninstalled", "Uninstalled"

    domain = models.CharField(max_length=255, unique=True, help_text="The shop's myshopify.com domain.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    name = models.CharField(max_length=255, blank=True)
    currency_code = models.CharField(max_length=3, blank=True)
    iana_timezone = models.CharField(max_length=64, blank=True)
    primary_domain_url = models.URLField(blank=True)
    # Shopify's shop.contactEmail (else shop.email): what the buyer sees as sender and replies to.
    contact_email = models.EmailField(max_length=254, blank=True)
    scopes = models.TextField(blank=True, help_text="Access scopes granted, comma separated.")
    installed_at = models.DateTimeField(null=True, blank=True)
    uninstalled_at = models.DateTimeField(null=True, blank=True)
    details_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.domain

    @property
    def handle(self) -> str:
        """The myshopify subdomain, as in admin.shopify.com/store/<handle>."""
        return self.domain.removesuffix(".myshopify.com")

    def admin_url(self, path: str = "") -> str:
        """This shop's Shopify admin, or a page of it: admin_url("orders/123")."""
        base = settings.SHOPIFY_ADMIN_URL_TEMPLATE.format(shop=self.handle)
        return f"{base}/{path.lstrip('/')}" if path else base

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class OfflineToken(models.Model):
    """The shop's expiring offline access token and its rotating refresh token, encrypted at rest.

    One row per shop, replaced atomically on every refresh; deleted on uninstall.
    """

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="offline_token")
    access_token = EncryptedTextField()
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty for legacy non-expiring tokens.")
    refresh_token = EncryptedTextField(null=True, blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __repr__(self) -> str:
        return f"<OfflineToken shop={self.shop_id} expires_at={self.expires_at}>"


class WebhookDelivery(DurableWork):
    """One Shopify webhook delivery, recorded before we answer 200: the durable record of work to do.

    `dedupe_key` is unique (Shopify's event id, else the webhook id), so duplicate deliveries of one
    event, concurrent or not, are recorded and processed once. Status, attempts and the lease come from
    DurableWork (orderguard.core.durable).
    """

    dedupe_key = models.CharField(max_length=255, unique=True)
    event_id = models.CharField(max_length=255, blank=True)
    webhook_id = models.CharField(max_length=255, blank=True)
    topic = models.CharField(max_length=64)
    shop_domain = models.CharField(max_length=255, db_index=True)
    # Set when the shop is known, so shop/redact's derived table list covers deliveries too.
    shop = models.ForeignKey(Shop, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    api_version = models.CharField(max_length=16, blank=True)
    triggered_at = models.CharField(max_length=64, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.topic} for {self.shop_domain} ({self.status})"


class DataRequestExport(ShopScopedModel):
    """What OrderGuard holds about one customer, produced for a customers/data_request webhook."""

    shopify_customer_id = models.CharField(max_length=64, blank=True)
    customer_email = models.CharField(max_length=320, blank=True)
    data_request_id = models.CharField(max_length=64, blank=True)
    export = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class ShopPreferences(models.Model):
    """What the merchant chose on the Settings page. One row per shop, created on first read with the
    global defaults (orderguard.shops.preferences), so a shop that never opened Settings follows them."""

    class EmailLanguage(models.TextChoices):
        AUTO = "auto", "From the shipping country"
        DUTCH = "nl", "Always Dutch"
        ENGLISH = "en", "Always English"

    class StoreLink(models.TextChoices):
        DRAFT_ORDER = "draft_order", "A Shopify draft order"
        CART = "cart", "A cart permalink with a single-use discount code"

    class LinkSending(models.TextChoices):
        SHOPIFY_INVOICE = "shopify_invoice", "Shopify's invoice email"
        APP_EMAIL = "app_email", "OrderGuard's own email"

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="preferences")
    grace_minutes = models.PositiveIntegerField(help_text="How long an order may stay unacknowledged before it counts as stuck.")
    auto_cancel_warning_days = models.PositiveIntegerField(help_text="Warn this many days before Meta cancels an order.")
    buyer_email_language = models.CharField(max_length=4, choices=EmailLanguage.choices, default=EmailLanguage.AUTO)
    # "Cancel and send a store link": which link, and who emails it (a cart permalink has no invoice of
    # Shopify's, so only the app's own email sends it; shops.preferences refuses the other pairing).
    store_link = models.CharField(max_length=16, choices=StoreLink.choices, default=StoreLink.DRAFT_ORDER)
    link_sending = models.CharField(max_length=16, choices=LinkSending.choices, default=LinkSending.SHOPIFY_INVOICE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "shop preferences"

    def __str__(self) -> str:
        return f"preferences of {self.shop_id}"

    @property
    def email_language_override(self) -> str:
        """The language every buyer email uses, or "" to pick it from the shipping country."""
        return "" if self.buyer_email_language == self.EmailLanguage.AUTO else self.buyer_email_language
