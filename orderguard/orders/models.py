"""Social orders: one row per Meta order, the Shopify orders of the social channel, and poll state."""

from __future__ import annotations

from django.db import models

from orderguard.core.models import ShopScopedModel
from orderguard.reconciliation.engine import NEEDS_ACTION, Reason, Status


class SocialOrder(ShopScopedModel):
    """A Facebook/Instagram order as Meta holds it, with OrderGuard's verdict on it.

    Buyer data is kept to what the remedies need (name, email, shipping address) and is erased by the
    compliance webhooks (orderguard/orders/compliance.py).
    """

    meta_order_id = models.CharField(max_length=64, help_text="Meta's id, a string: never parsed as a number.")
    commerce_account_id = models.CharField(max_length=32)
    channel = models.CharField(max_length=16, blank=True)
    # Meta's string as sent, of any length: a state OrderGuard does not know is shown as such.
    meta_state = models.TextField()
    meta_created_at = models.DateTimeField()
    # Meta's answer had no usable `created`: meta_created_at is a placeholder (last update or first seen).
    created_unknown = models.BooleanField(default=False)
    meta_updated_at = models.DateTimeField()
    meta_cancelled = models.BooleanField(default=False)
    merchant_order_id = models.CharField(max_length=64, blank=True)
    is_test_order = models.BooleanField(default=False)
    buyer_name = models.CharField(max_length=255, blank=True)
    buyer_email = models.CharField(max_length=320, blank=True)
    email_remarketing_option = models.BooleanField(default=False)
    shipping_address = models.JSONField(default=dict, blank=True)
    # Set when customers/redact or the retention period erased the buyer data: ingest never restores it.
    buyer_data_erased_at = models.DateTimeField(null=True, blank=True)
    items = models.JSONField(default=list, blank=True)
    total_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # Meta's estimated_payment_details as decimal strings: {"items", "shipping", "tax", "total"}, each optional.
    amounts = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=32, choices=[(s.value, s.value) for s in Status])
    reason = models.CharField(max_length=40, choices=[(r.value, r.value) for r in Reason])
    needs_action = models.BooleanField(default=False)
    stuck_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    # The last moment the verdict holds with the same facts (the engine's recheck_at; None: until they
    # change): a poll that learnt nothing new reclassifies only the orders past it.
    recheck_at = models.DateTimeField(null=True, blank=True)

    shopify_order_id = models.CharField(max_length=64, blank=True)
    shopify_order_name = models.CharField(max_length=32, blank=True)
    shopify_matched_field = models.CharField(max_length=40, blank=True)

    # Recovery: the buyer completed the store link (a draft order) of a cancel-and-link remedy; the Shopify
    # order it became, written once (orderguard/remediation/recovery.py).
    recovered_order_id = models.CharField(max_length=64, blank=True)
    recovered_order_name = models.CharField(max_length=32, blank=True)
    recovered_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    recovered_currency = models.CharField(max_length=3, blank=True)
    recovered_at = models.DateTimeField(null=True, blank=True)

    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "meta_order_id"], name="one_social_order_per_meta_order")]
        indexes = [
            models.Index(fields=["shop", "needs_action", "meta_created_at"], name="social_order_action_idx"),
            models.Index(fields=["shop", "status"], name="social_order_status_idx"),
            models.Index(fields=["shop", "updated_at"], name="social_order_updated_idx"),
            # The "all" tab and deep pages order every order of a shop by placement.
            models.Index(fields=["shop", "meta_created_at"], name="social_order_created_idx"),
            models.Index(fields=["shop", "recheck_at"], name="social_order_recheck_idx"),
        ]

    def __str__(self) -> str:
        return f"Meta order {self.meta_order_id} ({self.status})"

    @property
    def is_stuck(self) -> bool:
        return self.status in NEEDS_ACTION

    @property
    def time_to_resolve(self):
        if self.resolved_at and self.stuck_since:
            return self.resolved_at - self.stuck_since
        return None


class SocialOrderEvent(ShopScopedModel):
    """The history of a social order: Meta state changes, OrderGuard status changes, Shopify matches."""

    class Kind(models.TextChoices):
        META_STATE = "meta_state", "Meta state"
        STATUS = "status", "Status"
        SHOPIFY_MATCH = "shopify_match", "Shopify match"
        REMEDY = "remedy", "Remedy"  # an apology sent, a cancel, a recovery: who and when

    order = models.ForeignKey(SocialOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Text: a Meta state is stored as Meta sent it, whatever its length.
    from_value = models.TextField(blank=True)
    to_value = models.TextField(blank=True)
    detail = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]


class ShopifySocialOrder(ShopScopedModel):
    """A Shopify order of the Facebook & Instagram channel, with the Meta id found in it (if any)."""

    shopify_order_id = models.CharField(max_length=64, help_text="The GraphQL id, gid://shopify/Order/…")
    name = models.CharField(max_length=32, blank=True)
    meta_order_id = models.CharField(max_length=64, blank=True, db_index=True)
    matched_field = models.CharField(max_length=40, blank=True)
    source_name = models.CharField(max_length=64, blank=True)
    shopify_created_at = models.DateTimeField(null=True, blank=True)
    shopify_updated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    financial_status = models.CharField(max_length=32, blank=True)
    fulfillment_status = models.CharField(max_length=32, blank=True)
    # "facebook" or "instagram" (reconciliation.matching.social_channel); null when the order does not
    # say (and for rows stored before it was read): the heartbeat counts those in its combined watch.
    social_channel = models.CharField(max_length=16, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "shopify_order_id"], name="one_row_per_shopify_order")]


class PollState(ShopScopedModel):
    """Where polling of one shop stands: cursors, schedule, last outcome (one row per shop)."""

    next_poll_at = models.DateTimeField(db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the dispatcher last handed the shop to a poll task: a reconnect is polled once, not at every
    # dispatch until the task runs.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_full_sweep_at = models.DateTimeField(null=True, blank=True)
    # The start time of the last successful poll: the next poll asks Meta for changes since then (minus
    # an overlap).
    meta_cursor = models.DateTimeField(null=True, blank=True)
    shopify_cursor = models.DateTimeField(null=True, blank=True)
    shopify_checked_at = models.DateTimeField(null=True, blank=True)
    shopify_error = models.CharField(max_length=255, blank=True)
    channel_handles = models.JSONField(default=list, blank=True)
    channel_installed = models.BooleanField(null=True, blank=True)
    channels_checked_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error_code = models.CharField(max_length=40, blank=True)
    last_error_message = models.CharField(max_length=500, blank=True)
    # Watching the watcher: set when the last successful poll is older than three intervals.
    stale_since = models.DateTimeField(null=True, blank=True)
    # What the orders' recheck times were computed with (orderguard.orders.polling): when the detection
    # settings or the channel facts differ, the next poll reclassifies every order that can still change.
    classified_with = models.CharField(max_length=100, blank=True)
    # When Shopify must be read again though nothing changed (an open order still waits for its Shopify
    # order); None: no order waits.
    shopify_recheck_at = models.DateTimeField(null=True, blank=True)
    last_report = models.JSONField(default=dict, blank=True)
    # The poll's single-flight lease lives on this row (orderguard.orders.poll_state): taking it and
    # recording the outcome are the same statements that read and write the state, so a poll stays cheap.
    lease_owner = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Every poll that did not run (another poll held the lease, not connected, throttled...), counted.
    skipped_polls = models.PositiveIntegerField(default=0)
    last_skipped_at = models.DateTimeField(null=True, blank=True)
    last_skip_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop"], name="one_poll_state_per_shop")]
