"""A shop's link to its Meta commerce account: which account, with which token, and whether it works."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from orderguard.core.fields import EncryptedTextField
from orderguard.core.models import ShopScopedModel


class MetaConnection(ShopScopedModel):
    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        # Meta refused the token (190) or a permission (10, 200-299): the merchant must reconnect.
        BROKEN = "broken", "Needs reconnecting"
        DISCONNECTED = "disconnected", "Disconnected"

    class Source(models.TextChoices):
        FACEBOOK_LOGIN = "facebook_login", "Facebook Login"
        SYSTEM_USER_TOKEN = "system_user_token", "System-user token"
        OPERATOR = "operator", "Operator command"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONNECTED)
    source = models.CharField(max_length=20, choices=Source.choices)
    commerce_account_id = models.CharField(max_length=32)
    commerce_account_name = models.CharField(max_length=255, blank=True)
    page_id = models.CharField(max_length=32, blank=True)
    page_name = models.CharField(max_length=255, blank=True)
    access_token = EncryptedTextField(blank=True)
    token_type = models.CharField(max_length=16, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: the token does not expire.")
    scopes = models.TextField(blank=True)
    # The apps registered to acknowledge orders (Shopify's channel, normally); None until read.
    order_management_apps = models.JSONField(null=True, blank=True)
    apps_checked_at = models.DateTimeField(null=True, blank=True)
    broken_reason = models.CharField(max_length=32, blank=True)
    broken_message = models.TextField(blank=True)
    broken_at = models.DateTimeField(null=True, blank=True)
    # Meta asked us to wait (rate limit): no call to this account before then.
    throttled_until = models.DateTimeField(null=True, blank=True)
    # Written on every (re)connect: the poll dispatcher treats a shop connected after its last poll as due.
    connected_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop"], name="one_meta_connection_per_shop")]

    def __repr__(self) -> str:
        return f"<MetaConnection shop={self.shop_id} cms={self.commerce_account_id} {self.status}>"

    @property
    def order_management_app_registered(self) -> bool | None:
        if self.order_management_apps is None:
            return None
        return bool(self.order_management_apps)


class MetaLoginAttempt(ShopScopedModel):
    """One Facebook Login round trip, bound to the shop that started it and to the browser that started
    it (by a cookie whose hash is kept here). Its `state` is single-use: one callback, one choice."""

    state = models.CharField(max_length=64, unique=True)
    # SHA-256 (hex) of the random value in the starting browser's login cookie; compared at every step.
    browser_key_hash = models.CharField(max_length=64, blank=True)
    # The admin's language when the login started: the popup's pages speak it too.
    language = models.CharField(max_length=8, default="en")
    expires_at = models.DateTimeField()
    # Set when Facebook's dialog came back (a second callback for the same state is refused).
    called_back_at = models.DateTimeField(null=True, blank=True)
    # Set when the attempt is spent: connected, failed or cancelled.
    completed_at = models.DateTimeField(null=True, blank=True)
    # After the callback: the long-lived user token and the commerce accounts it can reach.
    user_token = EncryptedTextField(null=True, blank=True)
    accounts = models.JSONField(default=list, blank=True)
    # Page tokens by page id (JSON), encrypted: a page token is what polls the page's commerce account.
    page_tokens = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
