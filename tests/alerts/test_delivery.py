"""Raising alerts and delivering them on durable work: dedupe, claims, retries on 429/5xx only, broken destinations."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from standardwebhooks import Webhook

from orderguard.alerts import delivery as service
from orderguard.alerts.models import Alert, AlertDelivery, AlertDestination
from orderguard.core.durable import GRACE
from orderguard.core.tasks import route_task
from orderguard.shops.compliance import shop_redact
from tests.alerts.factories import PAYLOAD, destination
from tests.alerts.receivers import Answer

pytestmark = pytest.mark.django_db


def _raise(shop, event=Alert.Event.ORDER_STUCK, key="order_stuck:111", **kwargs):
    return service.alert_raise(shop=shop, event=event, dedupe_key=key, payload=PAYLOAD, **kwargs)


def _send(delivery, **kwargs):
    return service.alert_delivery_send(delivery_id=delivery.pk, **kwargs)


def test_the_same_alert_raised_twice_is_one_alert_and_one_delivery_per_destination(shop, slack_hook, teams_hook, django_capture_on_commit_callbacks):
    destination(shop, "slack", slack_hook.url())
    destination(shop, "teams", teams_hook.url())
    with django_capture_on_commit_callbacks() as callbacks:
        first = _raise(shop)
    assert first is not None and len(callbacks) == 1
    assert _raise(shop) is None
    assert Alert.objects.count() == 1
    assert sorted(AlertDelivery.objects.values_list("destination__kind", flat=True)) == ["slack", "teams"]
    for delivery in AlertDelivery.objects.all():
        assert _send(delivery) == "delivered"
        assert _send(delivery).startswith("skipped")
    assert len(slack_hook.received) == 1 and len(teams_hook.received) == 1


def test_a_delivered_alert_records_the_answer(shop, slack_hook):
    slack_destination = destination(shop, "slack", slack_hook.url())
    _raise(shop)
    delivery = AlertDelivery.objects.get()
    assert _send(delivery) == "delivered"
    delivery.refresh_from_db()
    slack_destination.refresh_from_db()
    assert (delivery.status, delivery.outcome, delivery.attempts, delivery.last_status_code, delivery.last_answer) == ("done", "delivered", 1, 200, "ok")
    assert delivery.delivered_at is not None
    assert (slack_destination.status, slack_destination.last_answer) == ("ok", "ok")


def test_the_signed_webhook_id_is_stable_across_retries(shop, signed_hook):
    hook_destination = destination(shop, "webhook", signed_hook.url())
    _raise(shop)
    delivery = AlertDelivery.objects.get()
    signed_hook.answer(Answer(503, "busy"))
    now = timezone.now()
    assert _send(delivery, now=now).startswith("retry")
    assert _send(delivery, now=now + timedelta(hours=1)) == "delivered"
    first, second = signed_hook.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == f"og-delivery-{delivery.pk}"
    Webhook(hook_destination.signing_secret).verify(second.body, second.headers)


@pytest.mark.parametrize(("answer", "delay"), [(Answer(500, "oops"), 30), (Answer(502, ""), 30), (Answer(429, "slow down", {"Retry-After": "120"}), 120)])
def test_5xx_and_429_are_retried_later_then_delivered(shop, slack_hook, answer, delay):
    destination(shop, "slack", slack_hook.url())
    _raise(shop)
    delivery = AlertDelivery.objects.get()
    slack_hook.answer(answer)
    now = timezone.now()
    assert _send(delivery, now=now) == f"retry in {delay} s"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.available_at) == ("pending", 1, now + timedelta(seconds=delay))
    assert _send(delivery, now=now + timedelta(seconds=delay - 1)).startswith("skipped")  # not due yet
    assert service.alert_deliveries_due(now=now + timedelta(seconds=delay) + GRACE) == [delivery.pk]
    assert _send(delivery, now=now + timedelta(seconds=delay)) == "delivered"
    assert len(slack_hook.received) == 2


@pytest.mark.parametrize(("status", "body"), [(403, "invalid_token"), (404, "no_service"), (410, "channel_is_archived"), (400, "invalid_payload")])
def test_a_permanent_error_is_not_retried_and_marks_the_destination_broken(shop, slack_hook, status, body):
    slack_destination = destination(shop, "slack", slack_hook.url())
    _raise(shop)
    delivery = AlertDelivery.objects.get()
    slack_hook.answer(Answer(status, body))
    assert _send(delivery) == "failed: permanent"
    delivery.refresh_from_db()
    slack_destination.refresh_from_db()
    assert (delivery.status, delivery.outcome, delivery.attempts, delivery.delivered_at) == ("done", "refused", 1, None)
    assert slack_destination.status == "broken" and slack_destination.last_answer.startswith(body)
    assert service.alert_deliveries_due(now=timezone.now() + timedelta(days=1)) == []
    # A broken destination gets no new deliveries until a test succeeds.
    _raise(shop, key="order_stuck:222")
    assert AlertDelivery.objects.count() == 1
    assert len(slack_hook.received) == 1


def test_a_pending_delivery_to_a_destination_broken_meanwhile_is_not_sent(shop, slack_hook):
    slack_destination = destination(shop, "slack", slack_hook.url())
    _raise(shop)
    AlertDestination.objects.filter(pk=slack_destination.pk).update(status="broken")
    assert _send(AlertDelivery.objects.get()) == "failed: destination broken"
    assert AlertDelivery.objects.get().outcome == "refused: destination broken"
    assert slack_hook.received == []


def test_retries_stop_after_max_attempts(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    _raise(shop)
    delivery = AlertDelivery.objects.get()
    slack_hook.default = Answer(500, "down")
    now = timezone.now()
    outcomes = [_send(delivery, now=now + timedelta(days=n)) for n in range(service.MAX_ATTEMPTS + 1)]
    assert outcomes[-2] == "failed: out of attempts" and outcomes[-1].startswith("skipped")
    assert len(slack_hook.received) == service.MAX_ATTEMPTS
    assert AlertDelivery.objects.get().status == "failed"


def test_retry_delays_grow_exponentially_and_respect_retry_after():
    delays = [service.retry_delay(attempts=n, retry_after_seconds=None).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert service.retry_delay(attempts=1, retry_after_seconds=300) == timedelta(seconds=300)


def test_a_claim_abandoned_by_a_dead_worker_is_swept_and_sent_once(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    _raise(shop)
    delivery = AlertDelivery.objects.get()
    long_ago = timezone.now() - timedelta(minutes=5)
    AlertDelivery.objects.filter(pk=delivery.pk).update(status="running", lease_owner="dead", lease_expires_at=long_ago, attempts=1)
    assert service.alert_deliveries_due() == [delivery.pk]
    assert _send(delivery) == "delivered"
    assert _send(delivery).startswith("skipped")
    assert len(slack_hook.received) == 1


def test_a_claim_held_by_a_live_worker_is_left_alone(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    _raise(shop)
    delivery = AlertDelivery.objects.get()
    AlertDelivery.objects.filter(pk=delivery.pk).update(status="running", lease_owner="alive", lease_expires_at=timezone.now() + timedelta(minutes=1))
    assert service.alert_deliveries_due() == []
    assert _send(delivery).startswith("skipped")
    assert slack_hook.received == []


def test_escalations_go_only_to_escalation_destinations(shop, slack_hook, mailoutbox):
    destination(shop, "slack", slack_hook.url())
    destination(shop, "email", "boss@example.com", role=AlertDestination.Role.ESCALATION)
    _raise(shop)
    _raise(shop, event=Alert.Event.ORDER_STILL_STUCK_24H, key="order_still_stuck_24h:111")
    kinds = {d.alert.event: d.destination.kind for d in AlertDelivery.objects.select_related("alert", "destination")}
    assert kinds == {"order_stuck": "slack", "order_still_stuck_24h": "email"}
    for delivery in AlertDelivery.objects.all():
        assert _send(delivery) == "delivered"
    assert [m.bcc for m in mailoutbox] == [["boss@example.com"]]
    assert mailoutbox[0].subject == "[!] OrderGuard: 2 orders are still stuck after 24 hours"


def test_urgency_defaults_by_event(shop):
    assert _raise(shop, event=Alert.Event.AUTO_CANCEL_NEAR_1D, key="a").urgency == "urgent"
    assert _raise(shop, event=Alert.Event.BACKLOG_CLEARED, key="b").urgency == "normal"


def test_delivery_runs_on_the_alerts_queue():
    from orderguard.alerts import tasks

    assert route_task(tasks.deliver_alert_task.name, (), {}, {}) == {"queue": "alerts"}
    assert route_task(tasks.sweep_alert_deliveries_task.name, (), {}, {}) == {"queue": "alerts"}


def test_destination_secrets_are_encrypted_at_rest_and_never_in_repr(shop, signed_hook):
    hook_destination = destination(shop, "webhook", signed_hook.url())
    with connection.cursor() as cursor:
        cursor.execute("SELECT target, signing_secret FROM alerts_alertdestination")
        [(target, secret)] = cursor.fetchall()
    assert signed_hook.url() not in target and "whsec_" not in secret
    assert signed_hook.url() not in repr(hook_destination) and signed_hook.url() not in str(hook_destination)
    assert AlertDestination.objects.get().target == signed_hook.url()


def test_shop_redact_erases_destinations_alerts_and_deliveries(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    _raise(shop)
    erased = shop_redact(shop_domain=shop.domain)
    assert any(label.startswith("alerts.") for label in erased)  # found through the foreign keys to Shop
    assert not (AlertDestination.objects.exists() or Alert.objects.exists() or AlertDelivery.objects.exists())


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_a_delivery_once(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    _raise(shop)
    delivery = AlertDelivery.objects.get()
    barrier = threading.Barrier(5)
    outcomes: list[str] = []

    def work() -> None:
        try:
            barrier.wait()
            outcomes.append(_send(delivery))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "delivered" and sum(o == "delivered" for o in outcomes) == 1
    assert len(slack_hook.received) == 1
