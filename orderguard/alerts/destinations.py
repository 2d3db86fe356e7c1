"""Services for alert destinations: add one, send it a test message, record what its receiver answered."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from orderguard.alerts.channels import signed_webhook
from orderguard.alerts.channels.results import Outcome, SendResult
from orderguard.alerts.messages import alert_test_message_build
from orderguard.alerts.models import AlertDestination
from orderguard.alerts.senders import destination_send
from orderguard.alerts.validation import destination_target_validate
from orderguard.shops.models import Shop


def loopback_allowed() -> bool:
    """Local receivers are only acceptable where nothing real is at stake."""
    return settings.PROFILE in ("demo", "test")


def alert_destination_create(
    *,
    shop: Shop,
    kind: str,
    label: str,
    target: str,
    role: str = AlertDestination.Role.PRIMARY,
    language: str = "en",
) -> AlertDestination:
    """Validate and store a destination (ValidationError on a bad target). A signed webhook gets a fresh
    secret, shown to the merchant once by the settings page."""
    if kind not in AlertDestination.Kind.values:
        raise ValueError(f"Unknown destination kind {kind!r}")
    target = destination_target_validate(kind=kind, target=target, allow_loopback=loopback_allowed())
    return AlertDestination.objects.create(
        shop=shop,
        kind=kind,
        label=label.strip()[:100] or AlertDestination.Kind(kind).label,
        role=role,
        target=target,
        signing_secret=signed_webhook.secret_generate() if kind == AlertDestination.Kind.WEBHOOK else "",
        language=language if language in dict(settings.LANGUAGES) else "en",
    )


@dataclass(frozen=True)
class DestinationTestAnswer:
    """What the settings page shows after "send test"."""

    delivered: bool
    outcome: str
    status_code: int | None
    answer: str


def alert_destination_test(*, destination: AlertDestination) -> DestinationTestAnswer:
    """Send a test message, even to a broken destination (that is how it gets repaired), and record the
    answer: delivered -> verified and OK again; refused for good -> broken."""
    message = alert_test_message_build(shop_domain=destination.shop.domain, language=destination.language)
    now = timezone.now()
    result = destination_send(destination=destination, message=message, message_id=f"og-test-{destination.pk}-{int(now.timestamp())}")
    destination_answer_record(destination=destination, result=result, now=now, verified=result.delivered)
    return DestinationTestAnswer(result.delivered, str(result.outcome), result.status_code, result.answer)


def destination_answer_record(*, destination: AlertDestination, result: SendResult, now, verified: bool = False) -> None:
    fields = {"last_status_code": result.status_code, "last_answer": result.answer[:300], "last_answer_at": now}
    if result.outcome is Outcome.PERMANENT:
        fields["status"] = AlertDestination.Status.BROKEN
    if verified:
        fields.update(status=AlertDestination.Status.OK, verified_at=now)
    AlertDestination.objects.filter(pk=destination.pk).update(**fields)
    for name, value in fields.items():
        setattr(destination, name, value)


POLICY_FIELDS = ("hourly_cap", "quiet_start", "quiet_end", "urgent_bypasses_quiet_hours", "digest_at", "notify_new_orders", "role")


def alert_destination_policy_update(*, destination: AlertDestination, **policy) -> AlertDestination:
    """Change a destination's noise policy; unknown keys are refused."""
    unknown = set(policy) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"Not a policy field: {sorted(unknown)}")
    if "hourly_cap" in policy and not 1 <= int(policy["hourly_cap"]) <= 1000:
        raise ValueError("The hourly cap is between 1 and 1000")
    for name, value in policy.items():
        setattr(destination, name, value)
    destination.save(update_fields=list(policy))
    return destination


def alert_destination_remove(*, destination: AlertDestination) -> None:
    """Remove the destination; its pending deliveries go with it."""
    destination.delete()


def alert_destinations_of(*, shop: Shop) -> list[AlertDestination]:
    return list(AlertDestination.objects.filter(shop=shop).order_by("created_at", "pk"))


def alert_destination_get(*, shop: Shop, destination_id: int) -> AlertDestination | None:
    return AlertDestination.objects.filter(shop=shop, pk=destination_id).first()
