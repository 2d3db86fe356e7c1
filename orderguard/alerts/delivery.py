"""Raising an alert and delivering it: one AlertDelivery row per alert and destination, each claimed
with a conditional update before its send, so a delivery is sent by one worker at a time and never
again once delivered.

Outcomes: delivered; retry with exponential backoff (at least the receiver's Retry-After) for 429, 5xx
and network trouble, up to MAX_ATTEMPTS; a permanent refusal fails the delivery and marks the destination
broken (nothing more is sent to it until a test succeeds).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from orderguard.alerts import tasks
from orderguard.alerts.channels.results import Outcome, SendResult
from orderguard.alerts.destinations import destination_answer_record
from orderguard.alerts.messages import alert_message_build
from orderguard.alerts.models import DELIVERY_TRANSITIONS, Alert, AlertDelivery, AlertDestination
from orderguard.alerts.senders import destination_send
from orderguard.shops.models import Shop

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# A delivery claimed longer ago than this was abandoned by a dead worker (sends time out after ~13 s).
CLAIM_TIMEOUT = timedelta(minutes=5)

URGENT_EVENTS = frozenset(
    {
        Alert.Event.AUTO_CANCEL_NEAR_1D,
        Alert.Event.ACCEPTED_UNSHIPPED_NEAR_CANCEL,
        Alert.Event.CHECK_FAILING,
        Alert.Event.POLLER_STALLED,
        Alert.Event.HEARTBEAT_DROP,
        Alert.Event.ORDER_STILL_STUCK_24H,
    }
)
# Escalations go to the second recipient (destinations with the escalation role); everything else to the
# primary destinations.
ESCALATION_EVENTS = frozenset({Alert.Event.ORDER_STILL_STUCK_24H})


def alert_raise(
    *, shop: Shop, event: str, dedupe_key: str, payload: dict, urgency: str | None = None, now: datetime | None = None
) -> Alert | None:
    """Record the alert and one delivery per fitting destination; None if this alert was raised before
    (the dedupe key is unique per shop). Deliveries are enqueued once the transaction commits."""
    now = now or timezone.now()
    role = AlertDestination.Role.ESCALATION if event in ESCALATION_EVENTS else AlertDestination.Role.PRIMARY
    with transaction.atomic():
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    shop=shop,
                    event=event,
                    dedupe_key=dedupe_key[:200],
                    payload=payload,
                    urgency=urgency or (Alert.Urgency.URGENT if event in URGENT_EVENTS else Alert.Urgency.NORMAL),
                )
        except IntegrityError:
            return None
        destinations = AlertDestination.objects.filter(shop=shop, role=role, status=AlertDestination.Status.OK)
        deliveries = AlertDelivery.objects.bulk_create(
            [AlertDelivery(shop=shop, alert=alert, destination=d, next_attempt_at=now) for d in destinations]
        )
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: [_enqueue(delivery_id) for delivery_id in ids])
    return alert


def alert_delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery if it is due and nobody else holds it. Safe to call twice or concurrently."""
    now = now or timezone.now()
    if not _delivery_claim(delivery_id=delivery_id, now=now):
        return "skipped: not due, or claimed or finished elsewhere"
    delivery = AlertDelivery.objects.select_related("alert", "destination", "shop").get(pk=delivery_id)
    destination = delivery.destination
    if destination.status == AlertDestination.Status.BROKEN:
        _transition(delivery, AlertDelivery.Status.FAILED, last_answer="destination broken")
        return "failed: destination broken"
    message = alert_message_build(alert=delivery.alert, shop_domain=delivery.shop.domain, language=destination.language)
    try:
        result = destination_send(destination=destination, message=message, message_id=f"og-delivery-{delivery.pk}")
    except Exception:
        _retry_or_fail(delivery, SendResult(Outcome.RETRYABLE, answer="internal error"), now=now)
        logger.exception("Alert delivery %s failed on attempt %d", delivery.pk, delivery.attempts)
        raise
    destination_answer_record(destination=destination, result=result, now=now)
    if result.outcome is Outcome.DELIVERED:
        _transition(delivery, AlertDelivery.Status.DELIVERED, delivered_at=now, **_answer(result))
        return "delivered"
    if result.outcome is Outcome.PERMANENT:
        _transition(delivery, AlertDelivery.Status.FAILED, **_answer(result))
        logger.warning("Alert destination %s refused delivery %s for good (HTTP %s)", destination.pk, delivery.pk, result.status_code)
        return "failed: permanent"
    return _retry_or_fail(delivery, result, now=now)


def alert_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Deliveries to (re)enqueue: due ones whose enqueue was lost or whose retry time came; claims abandoned
    by a dead worker are first put back to retry."""
    now = now or timezone.now()
    AlertDelivery.objects.filter(status=AlertDelivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT).update(
        status=AlertDelivery.Status.RETRY, next_attempt_at=now
    )
    due = AlertDelivery.objects.filter(
        status__in=(AlertDelivery.Status.PENDING, AlertDelivery.Status.RETRY), next_attempt_at__lte=now
    )
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def retry_delay(*, attempts: int, retry_after_seconds: int | None) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour; never sooner than the receiver asked."""
    backoff = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)
    return max(backoff, timedelta(seconds=retry_after_seconds or 0))


def _delivery_claim(*, delivery_id: int, now: datetime) -> bool:
    """pending/retry -> sending, only when due: the single place that decides who sends (the durable-work
    mechanism can replace it)."""
    claimable = AlertDelivery.objects.filter(pk=delivery_id, next_attempt_at__lte=now).filter(
        Q(status=AlertDelivery.Status.PENDING) | Q(status=AlertDelivery.Status.RETRY)
    )
    return bool(claimable.update(status=AlertDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1))


def _retry_or_fail(delivery: AlertDelivery, result: SendResult, *, now: datetime) -> str:
    if delivery.attempts >= MAX_ATTEMPTS:
        _transition(delivery, AlertDelivery.Status.FAILED, **_answer(result))
        return "failed: out of attempts"
    delay = retry_delay(attempts=delivery.attempts, retry_after_seconds=result.retry_after_seconds)
    _transition(delivery, AlertDelivery.Status.RETRY, next_attempt_at=now + delay, **_answer(result))
    transaction.on_commit(lambda: _enqueue(delivery.pk, countdown=delay.total_seconds()))
    return f"retry in {int(delay.total_seconds())} s"


def _transition(delivery: AlertDelivery, status: str, **fields) -> None:
    """Move a delivery along DELIVERY_TRANSITIONS, only from the status this worker saw."""
    if status not in DELIVERY_TRANSITIONS[delivery.status]:
        raise ValueError(f"A delivery cannot go from {delivery.status} to {status}")
    updated = AlertDelivery.objects.filter(pk=delivery.pk, status=delivery.status).update(status=status, **fields)
    if updated:
        delivery.status = status
        for name, value in fields.items():
            setattr(delivery, name, value)


def _answer(result: SendResult) -> dict:
    return {"last_status_code": result.status_code, "last_answer": result.answer[:300]}


def _enqueue(delivery_id: int, *, countdown: float | None = None) -> None:
    try:
        tasks.deliver_alert_task.apply_async(kwargs={"delivery_id": delivery_id}, countdown=countdown)
    except Exception:  # the broker is down: the row stays due and the sweep enqueues it later
        logger.warning("Could not enqueue alert delivery %s; the sweep will pick it up", delivery_id, exc_info=True)
