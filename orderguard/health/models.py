"""Stored health-check results: the latest result of each check per shop (what the panel shows, so the
page never calls a platform) and a row each time a check's result changed (for the alerts and the
dossier), plus when each shop's checks last ran (for the schedule)."""

from __future__ import annotations

from django.db import models

from orderguard.core.models import ShopScopedModel


class Result(models.TextChoices):
    PASS = "pass", "Pass"
    WARNING = "warning", "Warning"
    FAILING = "failing", "Failing"
    UNKNOWN = "unknown", "Unknown"


class HealthCheckResult(ShopScopedModel):
    """The latest result of one check for one shop. `message` is an English msgid rendered with
    `params` in the viewer's language (so one stored row reads in Dutch and English)."""

    code = models.CharField(max_length=64)
    result = models.CharField(max_length=8, choices=Result.choices)
    message = models.TextField()
    params = models.JSONField(default=dict, blank=True)
    fix_url = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Platform error ids of the calls behind the result: {"fbtrace_id": ..., "shopify_request_id": ...}.
    error_ids = models.JSONField(default=dict, blank=True)
    ran_at = models.DateTimeField()
    # When the result last became what it is now.
    since = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "code"], name="one_health_result_per_check")]

    def __repr__(self) -> str:
        return f"<HealthCheckResult shop={self.shop_id} {self.code}={self.result}>"


class HealthCheckChange(ShopScopedModel):
    """A check's result changed (or was first recorded) at `at`."""

    code = models.CharField(max_length=64)
    from_result = models.CharField(max_length=8, blank=True)
    to_result = models.CharField(max_length=8, choices=Result.choices)
    message = models.TextField()
    params = models.JSONField(default=dict, blank=True)
    error_ids = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["shop", "at"], name="health_change_shop_at_idx")]
        ordering = ["at", "pk"]


class HealthSchedule(ShopScopedModel):
    """When the shop's checks last ran: the cheap ones after a poll, all of them once a day."""

    cheap_ran_at = models.DateTimeField(null=True, blank=True)
    full_ran_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop"], name="one_health_schedule_per_shop")]


class ReconnectSession(ShopScopedModel):
    """A guided reconnect: the merchant's steps (each confirmed and recorded), then a verification run by
    the workers until the stuck orders are acknowledged or new orders reach Shopify, or the time is up."""

    class Status(models.TextChoices):
        STEPS = "steps", "Steps in progress"
        VERIFYING = "verifying", "Verifying"
        SUCCEEDED = "succeeded", "Succeeded"
        ESCALATED = "escalated", "Escalated"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.STEPS)
    # Meta ids of the orders that needed action when the reconnect started: what must drain.
    stuck_order_ids = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField()
    verify_started_at = models.DateTimeField(null=True, blank=True)
    verify_deadline = models.DateTimeField(null=True, blank=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "last_verified_at"], name="reconnect_status_idx")]

    @property
    def active(self) -> bool:
        return self.status in (self.Status.STEPS, self.Status.VERIFYING)


class ReconnectEvent(ShopScopedModel):
    """One entry of the reconnect's timeline (kept for the dossier)."""

    class Kind(models.TextChoices):
        STARTED = "started", "Started"
        STEP = "step", "Step confirmed"
        VERIFYING = "verifying", "Verification started"
        VERIFIED = "verified", "Verification run"
        SUCCEEDED = "succeeded", "Succeeded"
        ESCALATED = "escalated", "Escalated"

    session = models.ForeignKey(ReconnectSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    step = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
