"""Each channel against a loopback receiver: the message it builds and how it reads the answer."""

from __future__ import annotations

import json
import socket

import pytest
from django.core import mail
from standardwebhooks import Webhook, WebhookVerificationError

from orderguard.alerts.channels import email, http, signed_webhook, slack, teams
from orderguard.alerts.channels.results import Outcome
from orderguard.alerts.messages import alert_message_build
from orderguard.alerts.models import Alert
from tests.alerts.factories import PAYLOAD
from tests.alerts.receivers import Answer


def _message(*, language: str = "en", payload: dict | None = None, event: str = Alert.Event.ORDER_STUCK):
    alert = Alert(event=event, dedupe_key="order_stuck:111", payload=PAYLOAD if payload is None else payload)
    return alert_message_build(alert=alert, shop_domain="alpha-goods.myshopify.com", language=language)


# Slack
# ------------------------------------------------------------------------------------------------------


def test_slack_gets_a_block_kit_message_and_ok_is_delivered(slack_hook):
    result = slack.send(url=slack_hook.url(), message=_message())
    assert result.outcome is Outcome.DELIVERED and result.status_code == 200 and result.answer == "ok"
    received = slack_hook.received[0]
    document = received.json()
    assert document["text"] == "2 orders are stuck on Meta"
    assert [block["type"] for block in document["blocks"]] == ["header", "section", "section", "section", "actions"]
    assert document["blocks"][4]["elements"][0]["url"] == PAYLOAD["link"]
    orders = document["blocks"][3]["text"]["text"]
    assert f"<{PAYLOAD['orders'][0]['url']}|Meta order 111> · €49.95" in orders and "Meta order 222" in orders
    assert received.headers["Content-Type"] == "application/json"


def test_slack_mrkdwn_control_characters_are_escaped():
    assert slack.escape("<!channel> & <b>") == "&lt;!channel&gt; &amp; &lt;b&gt;"


@pytest.mark.parametrize(
    ("status", "body"),
    [(403, "invalid_token"), (410, "channel_is_archived"), (404, "no_service"), (400, "invalid_payload"), (400, "something_new")],
)
def test_slack_error_bodies_are_permanent(slack_hook, status, body):
    slack_hook.answer(Answer(status, body))
    result = slack.send(url=slack_hook.url(), message=_message())
    assert result.outcome is Outcome.PERMANENT and result.status_code == status
    assert result.answer.startswith(body)
    if body in slack.KNOWN_ERRORS:
        assert slack.KNOWN_ERRORS[body] in result.answer


def test_slack_429_is_retryable_after_the_receivers_delay(slack_hook):
    slack_hook.answer(Answer(429, "rate_limited", {"Retry-After": "7"}))
    result = slack.send(url=slack_hook.url(), message=_message())
    assert (result.outcome, result.status_code, result.retry_after_seconds) == (Outcome.RETRYABLE, 429, 7)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retryable(slack_hook, status):
    slack_hook.answer(Answer(status, "rollup_error"))
    assert slack.send(url=slack_hook.url(), message=_message()).outcome is Outcome.RETRYABLE


def test_a_redirect_is_not_followed_and_is_permanent(slack_hook):
    slack_hook.answer(Answer(302, "", {"Location": slack_hook.url("/elsewhere")}))
    result = slack.send(url=slack_hook.url(), message=_message())
    assert result.outcome is Outcome.PERMANENT and [r.path for r in slack_hook.received] == ["/hook"]


def test_a_receiver_that_never_answers_is_a_retryable_timeout(monkeypatch):
    monkeypatch.setattr(http, "TIMEOUT", (0.5, 0.5))
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts the connection, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/services/secret-path"
        result = slack.send(url=url, message=_message())
    assert (result.outcome, result.answer) == (Outcome.RETRYABLE, "timeout")


def test_an_unreachable_receiver_is_retryable_and_the_answer_never_repeats_the_url():
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    url = f"http://127.0.0.1:{port}/services/T000/B000/very-secret"
    result = slack.send(url=url, message=_message())
    assert result.outcome is Outcome.RETRYABLE and "very-secret" not in result.answer and str(port) not in result.answer


def test_retry_after_may_be_an_http_date():
    from datetime import UTC, datetime

    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert http.retry_after({"retry-after": "Tue, 01 Dec 2026 12:01:30 GMT"}, now=now) == 90
    assert http.retry_after({"Retry-After": "99999"}) == http.MAX_RETRY_AFTER_SECONDS
    assert http.retry_after({"Retry-After": "soon"}) is None
    assert http.retry_after({}) is None


# Teams
# ------------------------------------------------------------------------------------------------------


def test_teams_gets_an_adaptive_card_in_a_message_envelope(teams_hook):
    result = teams.send(url=teams_hook.url(), message=_message())
    assert result.outcome is Outcome.DELIVERED and result.status_code == 202
    document = teams_hook.received[0].json()
    assert document["type"] == "message"
    attachment = document["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == "2 orders are stuck on Meta"
    assert {"title": "Money at stake", "value": "€62.45"} in card["body"][2]["facts"]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open in OrderGuard", "url": PAYLOAD["link"]}]


@pytest.mark.parametrize(("language", "more"), [("en", "and {} more"), ("nl", "en nog {}")])
def test_a_long_order_list_is_cut_to_teams_28_kb_with_and_n_more(teams_hook, language, more):
    orders = [{"id": str(n), "name": f"Meta order {n:06d} " + "x" * 80, "amount": "10.00", "currency": "EUR"} for n in range(1000)]
    message = _message(language=language, payload={**PAYLOAD, "orders": orders})
    document = teams.document(message)
    size = len(http.json_bytes(document))
    assert size <= teams.MAX_BYTES
    body = document["attachments"][0]["content"]["body"]
    shown = sum(1 for block in body if block.get("text", "").startswith("Meta order"))
    assert 100 < shown < 1000
    assert body[-1]["text"] == more.format(1000 - shown)
    # One more order would not have fitted: the cut is as late as possible.
    assert len(http.json_bytes(teams.card(message, shown_orders=shown + 1))) > teams.MAX_BYTES

    assert teams.send(url=teams_hook.url(), message=message).delivered
    assert len(teams_hook.received[0].body) == size


# Signed webhook (Standard Webhooks)
# ------------------------------------------------------------------------------------------------------


def test_the_signed_webhook_verifies_with_standardwebhooks(signed_hook):
    secret = signed_webhook.secret_generate()
    assert secret.startswith("whsec_")
    result = signed_webhook.send(url=signed_hook.url(), secret=secret, message_id="og-delivery-7", message=_message())
    assert result.outcome is Outcome.DELIVERED and result.status_code == 204
    received = signed_hook.received[0]
    assert received.headers["webhook-id"] == "og-delivery-7"
    payload = Webhook(secret).verify(received.body, received.headers)
    assert payload["type"] == "orderguard.alert.order_stuck"
    assert payload["data"]["money_at_stake"] == {"amount": "62.45", "currency": "EUR"}
    assert payload["data"]["orders"][0]["id"] == "111"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(received.body.replace(b"62.45", b"99.99"), received.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signed_webhook.secret_generate()).verify(received.body, received.headers)


def test_every_destination_gets_its_own_secret():
    assert len({signed_webhook.secret_generate() for _ in range(20)}) == 20


@pytest.mark.parametrize(("status", "outcome"), [(410, Outcome.PERMANENT), (404, Outcome.PERMANENT), (401, Outcome.PERMANENT), (503, Outcome.RETRYABLE)])
def test_the_signed_webhook_reads_the_status(signed_hook, status, outcome):
    signed_hook.answer(Answer(status, "nope"))
    result = signed_webhook.send(url=signed_hook.url(), secret=signed_webhook.secret_generate(), message_id="m", message=_message())
    assert result.outcome is outcome


# Email
# ------------------------------------------------------------------------------------------------------


def test_email_goes_to_several_recipients_each_hidden_from_the_others():
    result = email.send(recipients=["a@example.com", "b@example.com"], message=_message())
    assert result.outcome is Outcome.DELIVERED
    [sent] = mail.outbox
    assert sent.to == [] and sent.bcc == ["a@example.com", "b@example.com"]
    assert sent.subject == "OrderGuard: 2 orders are stuck on Meta"
    assert "Meta order 111 · €49.95" in sent.body and PAYLOAD["link"] in sent.body


def test_email_without_recipients_is_permanent():
    assert email.send(recipients=[], message=_message()).outcome is Outcome.PERMANENT
    assert mail.outbox == []


def test_recipients_parse_accepts_commas_and_semicolons():
    assert email.recipients_parse(" a@example.com; b@example.com,,") == ["a@example.com", "b@example.com"]


# Words
# ------------------------------------------------------------------------------------------------------


def test_alerts_are_written_in_dutch_too():
    message = _message(language="nl")
    assert message.title == "2 bestellingen zitten vast bij Meta"
    assert ("Op het spel", "€\xa062,45") in message.facts
    assert message.link_label == "Openen in OrderGuard"


@pytest.mark.parametrize("event", Alert.Event.values)
@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_event_has_words_in_every_language(event, language):
    message = _message(event=event, language=language, payload={**PAYLOAD, "channel": "Instagram"})
    assert message.title and message.summary and message.title != event
    assert json.loads(http.json_bytes(slack.document(message)))["blocks"]
