"""Every event, read from the shop's state by the evaluation, raised once, and delivered to loopback
receivers: stuck, auto-cancel 7 d / 1 d, accepted unshipped, escalation after 24 h, poller stalled,
backlog cleared, new order (opt-in), a failing check. No buyer data in what is sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from orderguard.alerts.delivery import alert_delivery_send
from orderguard.alerts.evaluation import alerts_evaluate_shop, alerts_on_check_result_changed, shops_to_evaluate
from orderguard.alerts.models import Alert, AlertDelivery, AlertDestination
from tests.alerts.factories import destination
from tests.factories import make_poll_state, make_social_order

pytestmark = pytest.mark.django_db


def _events(raised):
    return sorted(alert.event for alert in raised)


def _stuck(shop, meta_id="9001", age=timedelta(hours=2), **fields):
    return make_social_order(shop=shop, meta_order_id=meta_id, status="missing_from_shopify", reason="not_in_shopify", age=age, amount="80.00", currency="EUR", **fields)


def _deliver_all():
    """Send every delivery, a second apart (Slack takes one message a second per webhook)."""
    start = timezone.now()
    pks = AlertDelivery.objects.order_by("pk").values_list("pk", flat=True)
    return [alert_delivery_send(delivery_id=pk, now=start + timedelta(seconds=n)) for n, pk in enumerate(pks)]


def test_a_stuck_order_is_alerted_once_with_its_amount_and_an_admin_link_and_no_buyer(shop, signed_hook):
    hook = destination(shop, "webhook", signed_hook.url())
    order = _stuck(shop)
    assert _events(alerts_evaluate_shop(shop=shop)) == ["order_stuck"]
    assert alerts_evaluate_shop(shop=shop) == []  # idempotent
    assert _deliver_all() == ["delivered"]
    [received] = signed_hook.received
    Webhook(hook.signing_secret).verify(received.body, received.headers)
    data = received.json()["data"]
    assert data["event"] == "order_stuck" and data["money_at_stake"] == {"amount": "80.00", "currency": "EUR"}
    assert data["orders"][0]["id"] == "9001"
    assert data["orders"][0]["url"] == shop.admin_url(f"apps/orderguard/orders/{order.pk}/")
    assert data["link"] == shop.admin_url("apps/orderguard/") and "/store/alpha-goods/apps/orderguard/" in data["link"]
    body = received.body.decode()
    assert "Ada" not in body and "marketplace.facebook.com" not in body and "Main St" not in body


def test_auto_cancel_warnings_at_7_days_and_at_1_day(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    now = timezone.now()
    _stuck(shop, "1", deadline_at=now + timedelta(days=6, hours=20))
    _stuck(shop, "2", deadline_at=now + timedelta(hours=20))
    _stuck(shop, "3", deadline_at=now + timedelta(days=20))
    keys = sorted(a.dedupe_key for a in alerts_evaluate_shop(shop=shop, now=now) if a.event != "order_stuck")
    assert keys == ["auto_cancel_near_1d:2", "auto_cancel_near_7d:1", "auto_cancel_near_7d:2"]


def test_an_accepted_unshipped_order_near_auto_cancel_is_urgent(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    now = timezone.now()
    make_social_order(shop=shop, meta_order_id="77", status="fine", reason="acknowledged", age=timedelta(days=25), meta_state="IN_PROGRESS")
    make_social_order(shop=shop, meta_order_id="78", status="fine", reason="acknowledged", age=timedelta(days=5), meta_state="IN_PROGRESS")
    [alert] = alerts_evaluate_shop(shop=shop, now=now)
    assert (alert.event, alert.dedupe_key, alert.urgency) == ("accepted_unshipped_near_cancel", "accepted_unshipped_near_cancel:77", "urgent")


def test_an_order_stuck_24_hours_escalates_to_the_second_recipient(shop, slack_hook, mailoutbox):
    destination(shop, "slack", slack_hook.url())
    destination(shop, "email", "owner@example.com", role=AlertDestination.Role.ESCALATION)
    _stuck(shop, "5", age=timedelta(hours=26))
    assert _events(alerts_evaluate_shop(shop=shop)) == ["order_still_stuck_24h", "order_stuck"]
    assert _deliver_all() == ["delivered", "delivered"]
    assert len(slack_hook.received) == 1 and [m.bcc for m in mailoutbox] == [["owner@example.com"]]
    assert "still stuck after 24 hours" in mailoutbox[0].subject


def test_poller_stalled_once_per_stall_and_backlog_cleared_after_recovery(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    now = timezone.now()
    state = make_poll_state(shop=shop, stale_since=now - timedelta(minutes=20))
    order = _stuck(shop)
    assert _events(alerts_evaluate_shop(shop=shop, now=now)) == ["order_stuck", "poller_stalled"]
    assert alerts_evaluate_shop(shop=shop, now=now) == []
    state.stale_since = now + timedelta(hours=1)  # a second stall is a second alert
    state.save()
    assert _events(alerts_evaluate_shop(shop=shop, now=now)) == ["poller_stalled"]
    order.needs_action, order.status = False, "resolved"
    order.save()
    assert _events(alerts_evaluate_shop(shop=shop, now=now)) == ["backlog_cleared"]
    assert alerts_evaluate_shop(shop=shop, now=now) == []
    assert set(_deliver_all()) == {"delivered"}
    assert [r.json()["text"] for r in slack_hook.received][-1] == "All stuck orders are resolved"


def test_new_orders_only_for_destinations_that_opted_in(shop, slack_hook, teams_hook):
    destination(shop, "slack", slack_hook.url())
    teams = destination(shop, "teams", teams_hook.url())
    make_social_order(shop=shop, meta_order_id="300", status="processing", reason="within_grace", age=timedelta(minutes=5))
    assert alerts_evaluate_shop(shop=shop) == []
    AlertDestination.objects.filter(pk=teams.pk).update(notify_new_orders=True)
    [alert] = alerts_evaluate_shop(shop=shop)
    assert alert.event == "new_social_order"
    assert [d.destination.kind for d in alert.deliveries.select_related("destination")] == ["teams"]
    make_social_order(shop=shop, meta_order_id="301", status="processing", reason="within_grace", age=timedelta(days=3))
    assert alerts_evaluate_shop(shop=shop) == []  # history, not news


def test_a_check_that_turns_failing_is_one_alert_per_change(shop, slack_hook):
    destination(shop, "slack", slack_hook.url())
    changed = timezone.now()
    alert = alerts_on_check_result_changed(shop=shop, code="token_expiring", failing=True, detail="The Meta token expires in 5 days.", changed_at=changed)
    assert alert.event == "check_failing" and alert.urgency == "urgent"
    assert alerts_on_check_result_changed(shop=shop, code="token_expiring", failing=True, changed_at=changed) is None
    assert alerts_on_check_result_changed(shop=shop, code="token_expiring", failing=False) is None
    assert _deliver_all() == ["delivered"]
    text = slack_hook.received[0].json()["blocks"][1]["text"]["text"]
    assert text == "The Meta token expires in 5 days."


def test_only_shops_with_a_working_destination_are_evaluated(shop, slack_hook):
    assert list(shops_to_evaluate()) == []
    hook = destination(shop, "slack", slack_hook.url())
    assert list(shops_to_evaluate()) == [shop]
    AlertDestination.objects.filter(pk=hook.pk).update(status="broken")
    assert list(shops_to_evaluate()) == []
    assert Alert.objects.count() == 0
