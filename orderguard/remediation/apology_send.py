"""Sending the apology email the merchant edited: the request that records it, and the worker that sends it.

At most once. A double click is one action: the form carries an idempotency key made when it was
rendered, and the action row is created with it (get-or-create) in the request's transaction. A retry
never sends twice: the executor moves the action to SENDING and records `sending_started_at` BEFORE it
hands the message to the mailer, and records `sent_at` with DONE right after. A retry that finds SENDING
with a start but no `sent_at` cannot know whether the mail server took the message (the worker may have
died a millisecond after the server said yes), so it does NOT send again: it ends FAILED, "may or may not
have been sent; check your sent mail". A lost email is better than a doubled one: the merchant can
resend after looking, a buyer cannot unreceive two apologies. Only failures that certainly happened
before the server accepted anything (no connection, the server refused the sender or the address) clear
the start, so the retry sends.

Mail goes through Django's mailers (MAILERS["default"], orderguard/settings.py): From is the shop's
contact address under its name (else DEFAULT_FROM_EMAIL), Reply-To the shop's address, To the order's
buyer address as Meta gave it (never an address typed in the form). The Message-ID derives from the key,
so even a copy a mail server resent is one message to the buyer's mail program.
"""

from __future__ import annotations

import smtplib
import socket

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderguard.core.exceptions import ApplicationError
from orderguard.orders.events import order_remedy_event
from orderguard.orders.models import SocialOrder
from orderguard.remediation.apology import SUPPORTED_LANGUAGES, one_line, safe_subject
from orderguard.remediation import services
from orderguard.remediation.executors import executor
from orderguard.remediation.models import FINAL_STEPS, RemediationAction
from orderguard.remediation.selectors import apology_from_address, apology_live_action
from orderguard.remediation.steps import action_step_move
from orderguard.shops.models import Shop

Step = RemediationAction.Step
BODY_LIMIT = 20_000
KEY_LENGTHS = range(16, 65)

# Refused before the server accepted anything: the message certainly did not leave, a retry may send.
NOT_SENT_RETRYABLE = (smtplib.SMTPConnectError, smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError, ConnectionRefusedError, socket.gaierror)
# The server said no to this message: it did not leave, and sending it again unchanged will not help.
NOT_SENT_REFUSED = (smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


class ApologyRefused(ApplicationError):
    """The apology cannot be sent as asked (no address, nothing to send, one already on its way)."""


def apology_email_request(*, shop: Shop, order: SocialOrder, subject: str, body: str, language: str, actor: str, idempotency_key: str) -> tuple[RemediationAction, bool]:
    """Record the merchant's "send" and hand it to a worker. Returns (action, created): the same key again
    (a double click, a resubmitted form) returns the first action and sends nothing more."""
    key = (idempotency_key or "").strip()
    if len(key) not in KEY_LENGTHS or not key.isascii():
        raise ApologyRefused(_("This form has expired. Open the draft again."), code="bad_key")
    existing = RemediationAction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_shop(existing, shop), False
    to = _buyer_address(order)
    subject, body = safe_subject(subject), (body or "").replace("\r\n", "\n").strip()
    if not subject or not body:
        raise ApologyRefused(_("Write a subject and a message first."), code="empty")
    if len(body) > BODY_LIMIT:
        raise ApologyRefused(_("The message is too long to send."), code="too_long")
    params = {"to": to, "subject": subject, "body": body + "\n", "language": language if language in SUPPORTED_LANGUAGES else "en", "actor": actor}
    try:
        with transaction.atomic():
            # One apology on its way per order: a second one waits until the first ended.
            SocialOrder.objects.select_for_update().filter(pk=order.pk).first()
            # Read again under the lock: a concurrent click with the same key has committed by now.
            existing = RemediationAction.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return _same_shop(existing, shop), False
            if apology_live_action(order=order) is not None:
                raise ApologyRefused(_("An apology for this order is being sent. Wait until it is done."), code="already_sending")
            action = RemediationAction.objects.create(
                shop=shop, order=order, kind=RemediationAction.Kind.APOLOGY_EMAIL, idempotency_key=key, actor=actor[:64], params=params,
                message=_("Queued: the email leaves in a moment."),
            )
            services.remediation_action_enqueue(action=action)
    except IntegrityError:  # the same key, concurrently: the other request created it
        return _same_shop(RemediationAction.objects.get(idempotency_key=key), shop), False
    return action, True


def _same_shop(action: RemediationAction, shop: Shop) -> RemediationAction:
    if action.shop_id != shop.pk or action.kind != RemediationAction.Kind.APOLOGY_EMAIL:
        raise ApologyRefused(_("This form has expired. Open the draft again."), code="bad_key")
    return action


def _buyer_address(order: SocialOrder) -> str:
    address = one_line(order.buyer_email, 254)
    try:
        validate_email(address)
    except ValidationError:
        raise ApologyRefused(_("Meta has not shared a usable email address for this buyer."), code="no_address") from None
    return address


@executor(RemediationAction.Kind.APOLOGY_EMAIL)
def apology_email_execute(action: RemediationAction) -> None:
    if action.step in FINAL_STEPS:
        return
    if action.step == Step.SENDING and action.result.get("sending_started_at"):
        _end_uncertain(action)
        return
    action_step_move(action=action, to=Step.SENDING, result={"sending_started_at": timezone.now().isoformat()},
                     message=_("Sending the email."))
    try:
        mailers.default.send_messages([_message(action)])
    except NOT_SENT_RETRYABLE as error:
        action_step_move(action=action, to=Step.SENDING, result={"sending_started_at": None, "last_error": type(error).__name__},
                         message=_("The mail server could not be reached; OrderGuard tries again shortly."))
        raise ApplicationError(_("The mail server could not be reached."), code="mail_unreachable", retryable=True) from None
    except NOT_SENT_REFUSED as error:
        _end(action, to=Step.FAILED, what="apology_refused", error_code="mail_refused", result={"last_error": type(error).__name__},
             message=_("The mail server refused this email; it was not sent. Check the mail settings, or copy the draft into your mail program."))
        return
    except Exception:
        _end_uncertain(action)
        return
    _end(action, to=Step.DONE, what="apology_sent", result={"sent_at": timezone.now().isoformat()},
         message=_("Sent to the buyer."))


def _message(action: RemediationAction) -> EmailMessage:
    shop, params = action.shop, action.params
    return EmailMessage(
        subject=safe_subject(params["subject"]),
        body=params["body"],
        from_email=apology_from_address(shop=shop),
        to=[params["to"]],
        reply_to=[shop.contact_email] if shop.contact_email else [],
        headers={"Message-ID": f"<apology.{action.idempotency_key}@{shop.domain}>"},
    )


def _end_uncertain(action: RemediationAction) -> None:
    _end(action, to=Step.FAILED, what="apology_uncertain", error_code="send_uncertain",
         message=_("The email may or may not have been sent; check your sent mail before sending it again."))


def _end(action: RemediationAction, *, to: str, what: str, message: str, result: dict | None = None, error_code: str = "") -> None:
    """The final step and its timeline entry, together."""
    with transaction.atomic():
        action_step_move(action=action, to=to, message=message, result=result, error_code=error_code)
        order_remedy_event(order=action.order, what=what, actor=action.actor, detail=action.params.get("language", ""), at=timezone.now()).save()

