"""Sending the apology email: once per click however often it runs, never twice after a crash mid-send,
retried only when the message certainly did not leave; safe headers; in the order's timeline."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from orderguard.core.durable import DurableWork
from orderguard.orders.models import SocialOrderEvent
from orderguard.remediation.apology_send import ApologyRefused, apology_email_request
from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_run
from orderguard.remediation.steps import action_step_move
from tests.factories import make_shop, make_social_order

pytestmark = pytest.mark.django_db

Step = RemediationAction.Step
KEY = "apology-key-0123456789abcdef"


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, not even `except Exception`."""


class _Backend:
    """Mail backends standing in for a mail server, named by MAILERS in override_settings."""

    def __init__(self, *, alias=None, **options):
        self.alias = alias

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class DeliversThenWorkerDies(_Backend):
    def send_messages(self, messages):
        mail.outbox.extend(messages)
        raise WorkerKilled


class Unreachable(_Backend):
    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, b"try later")


class RefusesRecipient(_Backend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"no such user")})


class DropsConnectionAfterData(_Backend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def _mailer(backend: type) -> dict:
    return {"default": {"BACKEND": f"{__name__}.{backend.__name__}"}}


@pytest.fixture
def order():
    shop = make_shop(domain="apology-shop.myshopify.com", name="Alpha Goods")
    shop.contact_email = "hello@alpha.example"
    shop.save()
    return make_social_order(shop=shop, meta_order_id="5100000000000001", status="missing_from_shopify", reason="not_in_shopify",
                             age=timedelta(hours=5), buyer="Ada Buyer")


def _request(order, *, key=KEY, subject="Your order: our apologies", body="Dear Ada,\n\nSorry.\n"):
    return apology_email_request(shop=order.shop, order=order, subject=subject, body=body, language="en", actor="user:42", idempotency_key=key)


def test_sent_once_from_the_shop_with_reply_to_and_in_the_timeline(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        action, created = _request(order)
    assert created and action.step == Step.QUEUED
    remediation_action_run(action_id=action.pk)
    remediation_action_run(action_id=action.pk)

    action.refresh_from_db()
    assert (action.step, action.status, action.error_code) == (Step.DONE, DurableWork.Status.DONE, "")
    assert action.result["sending_started_at"] <= action.result["sent_at"]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.to, sent.reply_to, sent.from_email) == (["ada@marketplace.facebook.com"], ["hello@alpha.example"], "Alpha Goods <hello@alpha.example>")
    assert sent.extra_headers["Message-ID"] == f"<apology.{KEY}@apology-shop.myshopify.com>"
    event = SocialOrderEvent.objects.get(order=order, kind="remedy")
    assert (event.to_value, event.from_value) == ("apology_sent", "user:42")


def test_a_double_click_is_one_action_and_one_email(order):
    first, created_first = _request(order)
    second, created_second = _request(order, subject="changed in a second tab")
    assert (created_first, created_second) == (True, False) and first.pk == second.pk
    remediation_action_run(action_id=first.pk)
    remediation_action_run(action_id=second.pk)
    assert RemediationAction.objects.count() == 1 and len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your order: our apologies"


def test_a_second_apology_waits_until_the_first_ended(order):
    _request(order)
    with pytest.raises(ApologyRefused) as refused:
        _request(order, key="another-key-0123456789abcdef")
    assert refused.value.code == "already_sending"


def test_a_key_of_another_shop_is_refused(order):
    other = make_shop(domain="other-shop.myshopify.com", name="Other")
    other_order = make_social_order(shop=other, meta_order_id="5100000000000009", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=5))
    apology_email_request(shop=other, order=other_order, subject="s", body="b", language="en", actor="user:1", idempotency_key=KEY)
    with pytest.raises(ApologyRefused):
        _request(order)


@override_settings(MAILERS=_mailer(DeliversThenWorkerDies))
def test_a_worker_killed_after_the_server_took_it_never_sends_again(order):
    action, _ = _request(order)
    with pytest.raises(WorkerKilled):
        remediation_action_run(action_id=action.pk)
    assert len(mail.outbox) == 1
    # The dead worker's lease expires; the sweeper hands the action to another worker.
    RemediationAction.objects.filter(pk=action.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}):
        remediation_action_run(action_id=action.pk)

    action.refresh_from_db()
    assert len(mail.outbox) == 1
    assert (action.step, action.error_code) == (Step.FAILED, "send_uncertain")
    assert "may or may not have been sent" in action.message
    assert SocialOrderEvent.objects.get(order=order, kind="remedy").to_value == "apology_uncertain"


def test_a_retry_that_finds_a_send_started_does_not_send(order):
    action, _ = _request(order)
    action_step_move(action=action, to=Step.SENDING, result={"sending_started_at": timezone.now().isoformat()})
    remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    assert mail.outbox == [] and action.step == Step.FAILED and action.error_code == "send_uncertain"


def test_a_connection_lost_mid_send_ends_uncertain_without_a_retry(order):
    action, _ = _request(order)
    with override_settings(MAILERS=_mailer(DropsConnectionAfterData)):
        remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    assert (action.step, action.status, action.error_code) == (Step.FAILED, DurableWork.Status.DONE, "send_uncertain")


def test_an_unreachable_server_is_retried_and_then_sends_once(order):
    action, _ = _request(order)
    with override_settings(MAILERS=_mailer(Unreachable)):
        remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    assert (action.step, action.status, action.result["sending_started_at"]) == (Step.SENDING, DurableWork.Status.PENDING, None)

    RemediationAction.objects.filter(pk=action.pk).update(available_at=timezone.now())
    remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    assert action.step == Step.DONE and len(mail.outbox) == 1


@override_settings(MAILERS=_mailer(RefusesRecipient))
def test_a_refused_address_fails_clearly_and_is_not_retried(order):
    action, _ = _request(order)
    remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    assert (action.step, action.status, action.error_code) == (Step.FAILED, DurableWork.Status.DONE, "mail_refused")


def test_hostile_names_and_subjects_cannot_add_headers(order):
    order.buyer_name = "Eve\r\nBcc: all@victims.example"
    order.buyer_email = "eve@marketplace.facebook.com"
    order.save()
    order.shop.name = "Shop\nBcc: x@y.example"
    order.shop.save()
    action, _ = _request(order, subject="Sorry\r\nBcc: evil@attacker.example\r\n\r\nInjected body")
    remediation_action_run(action_id=action.pk)

    (sent,) = mail.outbox
    raw = sent.message().as_bytes().decode()
    header_lines = raw.split("\n\n", 1)[0].splitlines()
    assert not [line for line in header_lines if line.lower().startswith(("bcc:", "injected"))]
    assert [line for line in header_lines if line.startswith("From:")] == ['From: "Shop Bcc: x@y.example" <hello@alpha.example>']
    assert sent.subject == "Sorry Bcc: evil@attacker.example Injected body"
    assert sent.recipients() == ["eve@marketplace.facebook.com"]


@pytest.mark.parametrize("email", ["", "not an address", "a@b.example, c@d.example"])
def test_no_usable_buyer_address_is_refused_before_anything(order, email):
    order.buyer_email = email
    order.save()
    with pytest.raises(ApologyRefused) as refused:
        _request(order)
    assert refused.value.code == "no_address" and not RemediationAction.objects.exists()


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "ключ-ключ-ключ-ключ"])
def test_a_bad_key_is_refused(order, key):
    with pytest.raises(ApologyRefused):
        _request(order, key=key)
