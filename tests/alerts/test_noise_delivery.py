"""Noise control wired into delivery: quiet hours hold alerts (urgent ones pass), the daily digest is one
message, the hourly cap sends one summary of what it held back, and Slack/Teams pacing is respected."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from orderguard.alerts import delivery as service
from orderguard.alerts.models import Alert, AlertDelivery, AlertDestination
from orderguard.core.durable import GRACE
from tests.alerts.factories import PAYLOAD, destination
from tests.alerts.receivers import Answer

pytestmark = pytest.mark.django_db

# 23:30 in Amsterdam (CET, UTC+1), inside quiet hours 22:00-07:00.
NIGHT = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
MORNING = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 07:00 local


def _raise(shop, key, *, event=Alert.Event.ORDER_STUCK, now):
    return service.alert_raise(shop=shop, event=event, dedupe_key=key, payload=PAYLOAD, now=now)


def _policy(target, **fields):
    AlertDestination.objects.filter(pk=target.pk).update(**fields)


def _send_due(now):
    return [service.alert_delivery_send(delivery_id=pk, now=now) for pk in service.alert_deliveries_due(now=now + GRACE)]


def test_quiet_hours_hold_alerts_until_they_end_in_the_shops_time_zone(shop, slack_hook, django_capture_on_commit_callbacks):
    hook = destination(shop, "slack", slack_hook.url())
    _policy(hook, quiet_start=time(22), quiet_end=time(7))
    with django_capture_on_commit_callbacks() as callbacks:
        _raise(shop, "order_stuck:1", now=NIGHT)
    for callback in callbacks:
        callback()
    delivery = AlertDelivery.objects.get()
    assert (delivery.hold, delivery.available_at) == ("quiet", MORNING)
    assert service.alert_delivery_send(delivery_id=delivery.pk, now=NIGHT).startswith("skipped")
    assert service.alert_deliveries_due(now=MORNING - timedelta(minutes=5)) == []
    assert _send_due(MORNING) == ["delivered"]
    assert len(slack_hook.received) == 1


def test_urgent_alerts_pass_quiet_hours_unless_the_setting_says_no(shop, slack_hook, teams_hook):
    passes = destination(shop, "slack", slack_hook.url())
    strict = destination(shop, "teams", teams_hook.url())
    _policy(passes, quiet_start=time(22), quiet_end=time(7))
    _policy(strict, quiet_start=time(22), quiet_end=time(7), urgent_bypasses_quiet_hours=False)
    _raise(shop, "poller_stalled:1", event=Alert.Event.POLLER_STALLED, now=NIGHT)
    holds = dict(AlertDelivery.objects.values_list("destination__kind", "hold"))
    assert holds == {"slack": "", "teams": "quiet"}


def test_the_daily_digest_is_one_message_at_its_time(shop, slack_hook):
    hook = destination(shop, "slack", slack_hook.url())
    _policy(hook, digest_at=time(8))
    for n in range(3):
        _raise(shop, f"order_stuck:{n}", now=NIGHT + timedelta(minutes=n))
    digest_time = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 08:00 local
    assert set(AlertDelivery.objects.values_list("hold", "available_at")) == {("digest", digest_time)}
    assert _send_due(digest_time - timedelta(hours=1) - GRACE) == []
    outcomes = _send_due(digest_time)
    assert outcomes[0] == "delivered: 3 alerts in one message" and all(o.startswith("skipped") for o in outcomes[1:])
    [message] = slack_hook.received
    assert message.json()["text"] == "Daily digest: 3 alerts"
    assert set(AlertDelivery.objects.values_list("status", "outcome")) == {("done", "delivered")}


def test_the_hourly_cap_holds_back_the_rest_and_sends_one_summary_when_a_slot_frees(shop, signed_hook):
    hook = destination(shop, "webhook", signed_hook.url())
    _policy(hook, hourly_cap=2)
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    outcomes = []
    for n in range(5):
        now = start + timedelta(minutes=n)
        alert = _raise(shop, f"order_stuck:{n}", now=now)
        outcomes.append(service.alert_delivery_send(delivery_id=alert.deliveries.get().pk, now=now))
    assert outcomes == ["delivered", "delivered", "held: hourly cap", "held: hourly cap", "held: hourly cap"]
    assert set(AlertDelivery.objects.filter(hold="cap").values_list("available_at", flat=True)) == {start + timedelta(hours=1)}
    assert _send_due(start + timedelta(minutes=59)) == []
    outcomes = _send_due(start + timedelta(hours=1))
    assert outcomes[0] == "delivered: 3 alerts in one message"
    summary = signed_hook.received[-1].json()
    assert summary["type"] == "orderguard.alert.summary" and len(summary["data"]["alerts"]) == 3
    assert len(signed_hook.received) == 3


def test_a_batch_that_fails_with_5xx_is_retried_together(shop, slack_hook):
    hook = destination(shop, "slack", slack_hook.url())
    _policy(hook, digest_at=time(8))
    for n in range(2):
        _raise(shop, f"order_stuck:{n}", now=NIGHT)
    digest_time = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    slack_hook.answer(Answer(503, "busy"))
    assert _send_due(digest_time)[0] == "retry in 30 s"
    assert set(AlertDelivery.objects.values_list("status", "attempts")) == {("pending", 1)}
    assert _send_due(digest_time + timedelta(seconds=30))[0] == "delivered: 2 alerts in one message"
    assert len(slack_hook.received) == 2


def test_slack_gets_at_most_one_message_a_second(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    first, second = (_raise(shop, f"order_stuck:{n}", now=now).deliveries.get() for n in range(2))
    assert service.alert_delivery_send(delivery_id=first.pk, now=now) == "delivered"
    assert service.alert_delivery_send(delivery_id=second.pk, now=now) == "paced: sent next second"
    assert service.alert_delivery_send(delivery_id=second.pk, now=now + timedelta(seconds=1)) == "delivered"
