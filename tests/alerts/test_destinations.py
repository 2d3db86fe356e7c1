"""Adding destinations (what a target may be) and the settings page's "send test"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from orderguard.alerts.destinations import alert_destination_test
from orderguard.alerts.validation import destination_target_validate
from tests.alerts.factories import destination
from tests.alerts.receivers import Answer

SLACK = "https://hooks.slack.com/services/T000/B000/XXXXXXXX"
TEAMS = "https://default1234.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=s3cr3t"


@pytest.mark.parametrize(
    ("kind", "target", "allow_loopback", "valid"),
    [
        ("slack", SLACK, False, True),
        ("slack", "http://hooks.slack.com/services/T/B/X", False, False),  # https only
        ("slack", "https://hooks.slack.com.evil.example/services/T/B/X", False, False),
        ("slack", "https://example.com/services/T/B/X", False, False),
        ("teams", TEAMS, False, True),
        ("teams", "https://contoso.webhook.office.com/webhookb2/abc", False, False),  # retired connectors
        ("teams", "https://prod-01.westeurope.logic.azure.com/workflows/x", False, False),  # stopped Nov 2025
        ("teams", "https://example.com/hook", False, False),
        ("webhook", "https://automation.example.com/orderguard", False, True),
        ("webhook", "https://10.0.0.5/hook", False, False),  # no IP literals in production
        ("webhook", "https://user:pass@automation.example.com/", False, False),
        ("webhook", "ftp://automation.example.com/", False, False),
        ("webhook", "https://automation.example.com:99999/", False, False),
        ("webhook", "not a url", False, False),
        ("webhook", "http://127.0.0.1:8123/hook", False, False),  # loopback only in demo/test
        ("webhook", "http://127.0.0.1:8123/hook", True, True),
        ("slack", "http://localhost:8123/hook", True, True),
        ("webhook", "https://automation.example.com/" + "x" * 2000, False, False),
    ],
)
def test_webhook_urls(kind, target, allow_loopback, valid):
    if valid:
        assert destination_target_validate(kind=kind, target=target, allow_loopback=allow_loopback) == target
    else:
        with pytest.raises(ValidationError) as raised:
            destination_target_validate(kind=kind, target=target, allow_loopback=allow_loopback)
        assert "s3cr3t" not in str(raised.value) and "XXXXXXXX" not in str(raised.value)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("a@example.com, B@example.com; a@example.com", "a@example.com, b@example.com"),
        ("", None),
        ("not-an-address", None),
        (",".join(f"p{n}@example.com" for n in range(11)), None),
    ],
)
def test_email_recipients(target, expected):
    if expected:
        assert destination_target_validate(kind="email", target=target, allow_loopback=False) == expected
    else:
        with pytest.raises(ValidationError):
            destination_target_validate(kind="email", target=target, allow_loopback=False)


def test_only_signed_webhooks_get_a_secret(shop, signed_hook, slack_hook):
    assert destination(shop, "webhook", signed_hook.url()).signing_secret.startswith("whsec_")
    assert destination(shop, "slack", slack_hook.url()).signing_secret == ""


def test_send_test_shows_the_receivers_answer_and_verifies_the_destination(shop, slack_hook):
    slack_destination = destination(shop, "slack", slack_hook.url(), language="nl")
    answer = alert_destination_test(destination=slack_destination)
    assert (answer.delivered, answer.outcome, answer.status_code, answer.answer) == (True, "delivered", 200, "ok")
    assert slack_hook.received[0].json()["text"] == "Testmelding van OrderGuard"
    slack_destination.refresh_from_db()
    assert slack_destination.verified_at is not None and slack_destination.status == "ok"


def test_send_test_marks_a_refusing_destination_broken_and_a_later_success_repairs_it(shop, slack_hook):
    slack_destination = destination(shop, "slack", slack_hook.url())
    slack_hook.answer(Answer(403, "invalid_token"))
    answer = alert_destination_test(destination=slack_destination)
    assert (answer.delivered, answer.outcome, answer.status_code) == (False, "permanent", 403)
    assert answer.answer.startswith("invalid_token")
    slack_destination.refresh_from_db()
    assert slack_destination.status == "broken" and slack_destination.verified_at is None

    assert alert_destination_test(destination=slack_destination).delivered
    slack_destination.refresh_from_db()
    assert slack_destination.status == "ok"


def test_send_test_to_a_slow_receiver_reports_a_retryable_answer_without_breaking_it(shop, teams_hook):
    teams_destination = destination(shop, "teams", teams_hook.url())
    teams_hook.answer(Answer(503, "Service Unavailable"))
    answer = alert_destination_test(destination=teams_destination)
    assert (answer.delivered, answer.outcome, answer.status_code, answer.answer) == (False, "retryable", 503, "Service Unavailable")
    teams_destination.refresh_from_db()
    assert teams_destination.status == "ok" and teams_destination.last_status_code == 503


def test_send_test_by_email(shop, mailoutbox):
    email_destination = destination(shop, "email", "ops@example.com, owner@example.com")
    answer = alert_destination_test(destination=email_destination)
    assert answer.delivered and answer.answer == "sent to 2 recipient(s)"
    assert mailoutbox[0].bcc == ["ops@example.com", "owner@example.com"]
