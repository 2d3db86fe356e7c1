"""Raising an alert and delivering it, on the core durable-work mechanism (orderguard/core/durable.py).

One AlertDelivery row per alert and destination (a unique pair), claimed under a lease before its send,
so it is sent by one worker at a time and never again once done. Noise control (noise.py) decides when a
row may go: at once, after quiet hours, at the daily digest, or, past the hourly cap, as part of one
summary when a slot frees. Rows that go together (a digest, the cap's summary) are claimed together by
the worker that claimed the first, and are sent as one message.

Outcomes: delivered; 429, 5xx and network trouble retried with exponential backoff (at least the
receiver's Retry-After) up to AlertDelivery.max_attempts; a permanent refusal ends the row (outcome
"refused") and marks the destination broken (nothing more is sent to it until a test succeeds).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from orderguard.alerts import noise, tasks
from orderguard.alerts.channels.results import Outcome, SendResult
from orderguard.alerts.destinations import destination_answer_record
from orderguard.alerts.messages import AlertMessage, alert_message_build, alert_summary_message_build
from orderguard.alerts.models import Alert, AlertDelivery, AlertDestination
from orderguard.alerts.pacing import pace_allows
from orderguard.alerts.senders import destination_send
from orderguard.core.durable import Claim, durable_claim, durable_complete, durable_due, durable_fail, durable_lease_kept
from orderguard.shops.models import Shop

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = AlertDelivery.max_attempts
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
PACE_WAIT = timedelta(seconds=1)

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
# Only destinations that opted in hear of every new order.
OPT_IN_EVENTS = frozenset({Alert.Event.NEW_SOCIAL_ORDER})
# Holds whose rows go out together as one message.
BATCHED_HOLDS = (AlertDelivery.Hold.DIGEST, AlertDelivery.Hold.CAP)
_PENDING = AlertDelivery.Status.PENDING


def destination_policy(*, destination: AlertDestination, timezone_name: str) -> noise.NoisePolicy:
    return noise.NoisePolicy(
        hourly_cap=destination.hourly_cap,
        quiet_start=destination.quiet_start,
        quiet_end=destination.quiet_end,
        timezone=timezone_name,
        urgent_bypasses_quiet_hours=destination.urgent_bypasses_quiet_hours,
        digest_at=destination.digest_at,
    )


def alert_raise(
    *, shop: Shop, event: str, dedupe_key: str, payload: dict, urgency: str | None = None, now: datetime | None = None
) -> Alert | None:
    """Record the alert and one delivery per fitting destination, each due when its noise policy lets it
    go; None if this alert was raised before (the dedupe key is unique per shop). Deliveries due now are
    enqueued once the transaction commits; held ones are picked up by the sweep when their time comes."""
    now = now or timezone.now()
    urgency = urgency or (Alert.Urgency.URGENT if event in URGENT_EVENTS else Alert.Urgency.NORMAL)
    with transaction.atomic():
        try:
            with transaction.atomic():
                alert = Alert.objects.create(shop=shop, event=event, dedupe_key=dedupe_key[:200], payload=payload, urgency=urgency)
        except IntegrityError:
            return None
        rows = [_delivery_for(alert, destination, now=now) for destination in _destinations_for(shop=shop, event=event)]
        AlertDelivery.objects.bulk_create(rows)
        ids = [row.pk for row in rows if row.hold == AlertDelivery.Hold.NONE]
        transaction.on_commit(lambda: [_enqueue(delivery_id) for delivery_id in ids])
    return alert


def _destinations_for(*, shop: Shop, event: str):
    role = AlertDestination.Role.ESCALATION if event in ESCALATION_EVENTS else AlertDestination.Role.PRIMARY
    destinations = AlertDestination.objects.filter(shop=shop, role=role, status=AlertDestination.Status.OK)
    return destinations.filter(notify_new_orders=True) if event in OPT_IN_EVENTS else destinations


def _delivery_for(alert: Alert, destination: AlertDestination, *, now: datetime) -> AlertDelivery:
    policy = destination_policy(destination=destination, timezone_name=alert.shop.iana_timezone)
    plan = noise.delivery_plan(policy=policy, now=now, urgent=alert.urgency == Alert.Urgency.URGENT)
    hold = {noise.Action.SEND: AlertDelivery.Hold.NONE, noise.Action.HOLD: AlertDelivery.Hold.QUIET,
            noise.Action.DIGEST: AlertDelivery.Hold.DIGEST}[plan.action]
    return AlertDelivery(shop=alert.shop, alert=alert, destination=destination, hold=hold, available_at=plan.not_before)


def alert_delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery (with the rows that go with it) if it is due and nobody else holds it. Safe to
    call twice or concurrently."""
    now = now or timezone.now()
    row = _due(AlertDelivery.objects.filter(pk=delivery_id), now=now).select_related("destination", "alert", "shop").first()
    if row is None:
        return "skipped: not due, or claimed or finished elsewhere"
    destination = row.destination
    if destination.status == AlertDestination.Status.OK:
        held = _hold_for_cap(row, now=now)
        if held:
            return held
        if not pace_allows(destination_id=destination.pk, kind=destination.kind, clock=now.timestamp()):
            AlertDelivery.objects.filter(pk=row.pk, status=_PENDING).update(available_at=now + PACE_WAIT)
            transaction.on_commit(lambda: _enqueue(row.pk, countdown=PACE_WAIT.total_seconds()))
            return "paced: sent next second"
    claim = durable_claim(model=AlertDelivery, pk=row.pk, now=now)
    if claim is None:
        return "skipped: not due, or claimed or finished elsewhere"
    claims = [claim, *_claim_batch(row, now=now)]
    if destination.status == AlertDestination.Status.BROKEN:
        _finish(claims, outcome="refused: destination broken")
        return "failed: destination broken"
    message = _message(row, claims)
    try:
        with durable_lease_kept(claim=claim):
            result = destination_send(destination=destination, message=message, message_id=f"og-delivery-{row.pk}")
    except Exception:
        _retry_or_fail(row, claims, SendResult(Outcome.RETRYABLE, answer="internal error"), now=now)
        logger.exception("Alert delivery %s failed on attempt %d", row.pk, claim.attempt)
        raise
    destination_answer_record(destination=destination, result=result, now=now)
    if result.outcome is Outcome.DELIVERED:
        _finish(claims, outcome="delivered", delivered_at=now, batch_id=row.pk, **_answer(result))
        return "delivered" if len(claims) == 1 else f"delivered: {len(claims)} alerts in one message"
    if result.outcome is Outcome.PERMANENT:
        _finish(claims, outcome="refused", **_answer(result))
        logger.warning("Alert destination %s refused delivery %s for good (HTTP %s)", destination.pk, row.pk, result.status_code)
        return "failed: permanent"
    return _retry_or_fail(row, claims, result, now=now)


def alert_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Deliveries to (re)enqueue: pending ones whose time came (an enqueue lost, a retry, a hold that
    ended) and running ones whose worker died (lease expired)."""
    return durable_due(model=AlertDelivery, now=now, limit=limit)


def retry_delay(*, attempts: int, retry_after_seconds: int | None) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour; never sooner than the receiver asked."""
    backoff = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)
    return max(backoff, timedelta(seconds=retry_after_seconds or 0))


def destination_recent_sends(*, destination: AlertDestination, now: datetime) -> list[datetime]:
    """When the messages of the last hour went out (a batch is one message)."""
    rows = AlertDelivery.objects.filter(destination=destination, delivered_at__gt=now - noise.HOUR, delivered_at__lte=now)
    return list(rows.values("batch_id").annotate(at=Min("delivered_at")).values_list("at", flat=True))


def _due(rows, *, now: datetime):
    return rows.filter(attempts__lt=AlertDelivery.max_attempts).filter(
        Q(status=_PENDING, available_at__lte=now) | Q(status=AlertDelivery.Status.RUNNING, lease_expires_at__lte=now)
    )


def _hold_for_cap(row: AlertDelivery, *, now: datetime) -> str:
    """Past the hourly cap, the row waits for the next free slot; it then goes out in one summary with
    everything else held back. (Two workers at once may let one message past the cap: the cap is soft.)"""
    if row.hold in BATCHED_HOLDS:  # at its slot already, or the digest: one message a day
        return ""
    sends = destination_recent_sends(destination=row.destination, now=now)
    if len(sends) < row.destination.hourly_cap:
        return ""
    slot = noise.next_free_slot(sent_at=sends, now=now, cap=row.destination.hourly_cap)
    held = AlertDelivery.objects.filter(pk=row.pk, status=_PENDING).update(hold=AlertDelivery.Hold.CAP, available_at=slot)
    return "held: hourly cap" if held else ""


def _claim_batch(row: AlertDelivery, *, now: datetime) -> list[Claim]:
    """The other rows of this destination that go out in the same message as `row`."""
    if row.hold not in BATCHED_HOLDS:
        return []
    siblings = AlertDelivery.objects.filter(destination=row.destination, hold=row.hold).exclude(pk=row.pk)
    if row.hold == AlertDelivery.Hold.DIGEST:
        siblings = siblings.filter(available_at__lte=now)  # a later digest's rows wait for it
    claims = (durable_claim(model=AlertDelivery, pk=pk, now=now) for pk in _due(siblings, now=now + noise.HOUR * 24).values_list("pk", flat=True))
    return [claim for claim in claims if claim is not None]


def _message(row: AlertDelivery, claims: list[Claim]) -> AlertMessage:
    language = row.destination.language
    if len(claims) == 1:
        return alert_message_build(alert=row.alert, shop_domain=row.shop.domain, language=language)
    alerts = list(Alert.objects.filter(deliveries__pk__in=[c.pk for c in claims]).order_by("created_at", "pk"))
    return alert_summary_message_build(
        alerts=alerts, shop=row.shop, language=language, digest=row.hold == AlertDelivery.Hold.DIGEST
    )


def _retry_or_fail(row: AlertDelivery, claims: list[Claim], result: SendResult, *, now: datetime) -> str:
    attempt = claims[0].attempt
    delay = retry_delay(attempts=attempt, retry_after_seconds=result.retry_after_seconds)
    for claim in claims:
        durable_fail(claim=claim, outcome=f"retry: {result.answer}"[:255], retry_at=now + delay)
    AlertDelivery.objects.filter(pk__in=[c.pk for c in claims]).update(**_answer(result))
    if attempt >= AlertDelivery.max_attempts:
        return "failed: out of attempts"
    transaction.on_commit(lambda: _enqueue(row.pk, countdown=delay.total_seconds()))
    return f"retry in {int(delay.total_seconds())} s"


def _finish(claims: list[Claim], *, outcome: str, **fields) -> None:
    for claim in claims:
        durable_complete(claim=claim, outcome=outcome, **fields)


def _answer(result: SendResult) -> dict:
    return {"last_status_code": result.status_code, "last_answer": result.answer[:300]}


def _enqueue(delivery_id: int, *, countdown: float | None = None) -> None:
    try:
        tasks.deliver_alert_task.apply_async(kwargs={"delivery_id": delivery_id}, countdown=countdown)
    except Exception:  # the broker is down: the row stays due and the sweep enqueues it later
        logger.warning("Could not enqueue alert delivery %s; the sweep will pick it up", delivery_id, exc_info=True)
