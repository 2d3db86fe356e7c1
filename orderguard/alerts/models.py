"""Alert destinations, the alerts raised for a shop, and one delivery row per alert and destination."""

from __future__ import annotations

from django.db import models

from orderguard.core.durable import DurableWork
from orderguard.core.fields import EncryptedTextField
from orderguard.core.models import ShopScopedModel


class AlertDestination(ShopScopedModel):
    """Where a shop's alerts go. `target` is the secret part: the Slack/Teams/webhook URL (a URL that posts
    into a channel is a credential) or the email recipients, comma separated. Both secrets are encrypted."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"
        WEBHOOK = "webhook", "Signed webhook"

    class Status(models.TextChoices):
        OK = "ok", "OK"
        # The receiver refused for good (Slack invalid_token, HTTP 404/410, ...): nothing is sent until the
        # merchant fixes the destination and a test succeeds.
        BROKEN = "broken", "Broken"

    class Role(models.TextChoices):
        PRIMARY = "primary", "Every alert"
        # Receives only escalations (an order still stuck after 24 hours).
        ESCALATION = "escalation", "Escalations only"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=100)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.PRIMARY)
    target = EncryptedTextField()
    # Standard Webhooks secret (whsec_...), generated per destination; empty for other kinds.
    signing_secret = EncryptedTextField(blank=True, default="")
    # The language the alerts to this destination are written in (a code from LANGUAGES).
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OK)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The receiver's last answer, shortened: shown on the settings page (never holds the URL).
    last_answer = models.CharField(max_length=300, blank=True)
    last_answer_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True, help_text="When a test message was last delivered.")

    # Noise policy (orderguard/alerts/noise.py). Times are the shop's wall clock (Shop.iana_timezone).
    hourly_cap = models.PositiveSmallIntegerField(default=10)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    urgent_bypasses_quiet_hours = models.BooleanField(default=True)
    # Daily digest instead of single alerts when set: the local time it goes out.
    digest_at = models.TimeField(null=True, blank=True)
    # Opt-in: a notice for every new Facebook/Instagram order as Meta sees it.
    notify_new_orders = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]

    def __repr__(self) -> str:  # never the target: it is a secret
        return f"<AlertDestination {self.pk} {self.kind} shop={self.shop_id} {self.status}>"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class Alert(ShopScopedModel):
    """Something the merchant should know, raised once per order and event (the dedupe key)."""

    class Event(models.TextChoices):
        ORDER_STUCK = "order_stuck", "Order stuck"
        AUTO_CANCEL_NEAR_7D = "auto_cancel_near_7d", "Auto-cancel in 7 days"
        AUTO_CANCEL_NEAR_1D = "auto_cancel_near_1d", "Auto-cancel in 1 day"
        ACCEPTED_UNSHIPPED_NEAR_CANCEL = "accepted_unshipped_near_cancel", "Accepted, unshipped, near auto-cancel"
        CHECK_FAILING = "check_failing", "Check failing"
        POLLER_STALLED = "poller_stalled", "Poller stalled"
        BACKLOG_CLEARED = "backlog_cleared", "Backlog cleared"
        NEW_SOCIAL_ORDER = "new_social_order", "New social order"
        HEARTBEAT_DROP = "heartbeat_drop", "Channel heartbeat dropped"
        ORDER_STILL_STUCK_24H = "order_still_stuck_24h", "Order still stuck after 24 hours (escalation)"

    class Urgency(models.TextChoices):
        NORMAL = "normal", "Normal"
        URGENT = "urgent", "Urgent"

    event = models.CharField(max_length=40, choices=Event.choices)
    # One alert per order and event, e.g. "order_stuck:<meta order id>"; a repeat raise is a no-op.
    dedupe_key = models.CharField(max_length=200)
    # {"orders": [{"id", "name", "amount", "currency", "url"}], "money_at_stake": {"amount", "currency"},
    #  "link": a URL that opens the app inside Shopify admin, "detail": a short free text}. No buyer data.
    payload = models.JSONField(default=dict)
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["shop", "dedupe_key"], name="alerts_alert_unique_dedupe_per_shop")]

    def __str__(self) -> str:
        return f"{self.event} {self.dedupe_key}"


class AlertDelivery(ShopScopedModel, DurableWork):
    """One alert sent to one destination: at most one row per pair. Status, attempts and the lease come
    from DurableWork (orderguard.core.durable); `available_at` is also when noise control lets it go out.

    Rows held back together (quiet hours that ended, a digest, the hourly cap's summary) go out as one
    message: the worker that claims the first claims the rest, and `batch_id` names that first row.
    A permanent refusal ends the row DONE with outcome "refused" (the destination turns broken)."""

    class Hold(models.TextChoices):
        NONE = "", "Not held"
        QUIET = "quiet", "Held for quiet hours"
        DIGEST = "digest", "Waiting for the daily digest"
        CAP = "cap", "Held back by the hourly cap"

    # 429/5xx backoff 30 s ... 1 h: eight attempts span about two hours.
    max_attempts = 8

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    destination = models.ForeignKey(AlertDestination, on_delete=models.CASCADE, related_name="deliveries")
    hold = models.CharField(max_length=8, choices=Hold.choices, blank=True, default=Hold.NONE)
    batch_id = models.BigIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_answer = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(fields=["alert", "destination"], name="alerts_delivery_once_per_destination")
        ]
        indexes = [models.Index(fields=["destination", "status", "hold"], name="alerts_delivery_held_idx")]

    def __str__(self) -> str:
        return f"alert {self.alert_id} -> destination {self.destination_id} ({self.status})"
