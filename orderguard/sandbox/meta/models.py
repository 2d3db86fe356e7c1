"""State of the Meta stand-in (sandbox database): Facebook users, commerce accounts (CMS), tokens, orders,
idempotency records and OAuth codes.

Only what OrderGuard's calls can observe is modelled. Timing fields (processing period, when an order
became CREATED, when the Shopify channel imported it) let orders move on lazily: see meta/orders.py.
Foreign keys to the Shopify side use string references, because orderguard.sandbox.models imports this
module.
"""

from __future__ import annotations

from django.db import models


class MetaUser(models.Model):
    """A Facebook user who administers Pages: who the OAuth dialog logs in as."""

    id = models.CharField(primary_key=True, max_length=32)
    name = models.CharField(max_length=255)

    class Meta:
        app_label = "sandbox"

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class MetaCommerceAccount(models.Model):
    """A commerce account (CommerceMerchantSettings, "CMS") and the Page it belongs to."""

    class Behaviour(models.TextChoices):
        # What Shopify's Facebook & Instagram channel does with this account's finalized orders.
        HEALTHY = "healthy"
        BROKEN = "broken"
        IMPORTS_WITHOUT_ACK = "imports_without_ack"

    class Checkout(models.TextChoices):
        ONSITE = "onsite"  # checkout on Facebook/Instagram: Meta orders exist
        WEBSITE = "website"  # checkout on the merchant's website: no Meta orders

    id = models.CharField(primary_key=True, max_length=32)
    display_name = models.CharField(max_length=255)
    business_id = models.CharField(max_length=32, blank=True)
    page_id = models.CharField(max_length=32, unique=True)
    page_name = models.CharField(max_length=255)
    page_admin = models.ForeignKey(MetaUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts")
    instagram_user_id = models.CharField(max_length=32, blank=True)
    contact_email = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    # The Shopify sandbox shop whose Facebook & Instagram channel this account syncs with.
    shopify_shop = models.ForeignKey(
        "sandbox.SandboxShop", null=True, blank=True, on_delete=models.SET_NULL, related_name="meta_accounts"
    )
    # Apps registered in /{cms}/order_management_apps: [{"id": "2329312", "name": "Shopify", "link": ...}].
    # With none, Meta moves finalized orders straight to IN_PROGRESS.
    order_management_apps = models.JSONField(default=list, blank=True)
    checkout = models.CharField(max_length=16, choices=Checkout.choices, default=Checkout.ONSITE)
    merchant_status = models.CharField(max_length=32, default="ENABLED")
    shop_setup = models.CharField(max_length=32, default="SETUP")
    payment_setup = models.CharField(max_length=32, default="SETUP")
    review_status = models.CharField(max_length=32, default="APPROVED")
    channel_behaviour = models.CharField(max_length=24, choices=Behaviour.choices, default=Behaviour.HEALTHY)
    # When the channel last became healthy (or started importing): acks are due no earlier than this.
    behaviour_since = models.DateTimeField()
    ack_delay_minutes = models.PositiveIntegerField(default=3)
    # The Page's Business Use Case budget: 4800 calls per 24 h per engaged user.
    engaged_users = models.PositiveIntegerField(default=1)
    # Injected faults (meta/faults.py) and the throttle they or the budget started.
    faults = models.JSONField(default=list, blank=True)
    throttled_until = models.DateTimeField(null=True, blank=True)
    throttle_code = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        app_label = "sandbox"

    def __str__(self) -> str:
        return f"{self.display_name} ({self.id})"


class MetaToken(models.Model):
    class Kind(models.TextChoices):
        USER = "USER"
        PAGE = "PAGE"
        SYSTEM_USER = "SYSTEM_USER"

    value = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    app_id = models.CharField(max_length=32)
    scopes = models.JSONField(default=list, blank=True)
    # Granular scopes: the Pages / commerce accounts the grant covers (debug_token's granular_scopes).
    target_ids = models.JSONField(default=list, blank=True)
    user_id = models.CharField(max_length=32, blank=True)
    # The Page of a PAGE token.
    profile_id = models.CharField(max_length=32, blank=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Null: never expires.")
    data_access_expires_at = models.DateTimeField(null=True, blank=True)
    is_valid = models.BooleanField(default=True)
    # The user token a PAGE token was derived from (/me/accounts), so repeated calls return the same one.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="derived")

    class Meta:
        app_label = "sandbox"


class MetaOrder(models.Model):
    class State(models.TextChoices):
        FB_PROCESSING = "FB_PROCESSING"
        CREATED = "CREATED"
        IN_PROGRESS = "IN_PROGRESS"
        COMPLETED = "COMPLETED"

    id = models.CharField(primary_key=True, max_length=20)
    account = models.ForeignKey(MetaCommerceAccount, on_delete=models.CASCADE, related_name="orders")
    state = models.CharField(max_length=16, choices=State.choices)
    created = models.DateTimeField()
    # When the status last changed: what last_updated, updated_after and updated_before read.
    last_updated = models.DateTimeField()
    channel = models.CharField(max_length=16, default="facebook")
    buyer_name = models.CharField(max_length=255, blank=True)
    buyer_email = models.CharField(max_length=255, blank=True)
    buyer_phone = models.CharField(max_length=64, blank=True)
    email_remarketing_option = models.BooleanField(default=False)
    shipping_address = models.JSONField(default=dict, blank=True)
    selected_shipping_option = models.JSONField(default=dict, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    subtotal_items = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    subtotal_shipping = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # [{"id", "retailer_id", "product_id", "product_name", "quantity", "price_per_unit",
    #   "status": {"in_progress", "fulfilled", "cancelled"}}]
    items = models.JSONField(default=list, blank=True)
    # [{"id", "created", "by", "cancel_reason": {...}, "restock_items", "items": [{"id", "quantity"}]}]
    cancellations = models.JSONField(default=list, blank=True)
    refunds = models.JSONField(default=list, blank=True)
    shipments = models.JSONField(default=list, blank=True)
    merchant_order_id = models.CharField(max_length=64, blank=True)
    ship_by_date = models.DateField(null=True, blank=True)
    is_test_order = models.BooleanField(default=False)
    # Sandbox timing: how long Meta holds the order in FB_PROCESSING, or forever if stuck.
    processing_minutes = models.PositiveIntegerField(default=30)
    stuck_in_processing = models.BooleanField(default=False)
    became_created_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    shopify_order = models.ForeignKey(
        "sandbox.SandboxShopifyOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="meta_orders"
    )

    class Meta:
        app_label = "sandbox"
        indexes = [models.Index(fields=["account", "state"]), models.Index(fields=["account", "last_updated"])]

    def __str__(self) -> str:
        return f"{self.id} {self.state}"


class MetaIdempotencyRecord(models.Model):
    """The first answer to a state-changing request, replayed for the same key and the same request."""

    app_id = models.CharField(max_length=32)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    account = models.ForeignKey(MetaCommerceAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="idempotency_records")
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        app_label = "sandbox"
        constraints = [models.UniqueConstraint(fields=["app_id", "key"], name="sandbox_meta_idempotency_key")]


class MetaOAuthCode(models.Model):
    """A Facebook Login authorization code: single use, valid ten minutes, bound to its redirect_uri."""

    code = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(MetaUser, on_delete=models.CASCADE, related_name="oauth_codes")
    client_id = models.CharField(max_length=32)
    redirect_uri = models.TextField()
    scopes = models.JSONField(default=list)
    target_ids = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "sandbox"
