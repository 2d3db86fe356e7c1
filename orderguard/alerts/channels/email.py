"""Email through Django's mail framework: the configured default mailer (Django 6.1's MAILERS when the
settings define it, the deprecated EMAIL_* settings otherwise; locmem in tests), one message to several
recipients.

Only a refusal of every recipient is the destination's fault (permanent); any other SMTP or network
failure is ours or transient, and is retried.
"""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage, mailers

from orderguard.alerts.channels.results import Outcome, SendResult, snippet
from orderguard.alerts.messages import AlertMessage


def recipients_parse(value: str) -> list[str]:
    return [address.strip() for address in value.replace(";", ",").split(",") if address.strip()]


def email_message(*, recipients: list[str], message: AlertMessage) -> EmailMessage:
    subject = ("[!] " if message.urgent else "") + f"OrderGuard: {message.title}"
    # Each recipient sees only their own address.
    return EmailMessage(subject=subject, body=message.text, to=[], bcc=recipients)


def send(*, recipients: list[str], message: AlertMessage) -> SendResult:
    if not recipients:
        return SendResult(Outcome.PERMANENT, answer="no recipients")
    try:
        sent = mailers.default.send_messages([email_message(recipients=recipients, message=message)])
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _ in error.recipients.values()})
        return SendResult(Outcome.PERMANENT, codes[0] if codes else None, "every recipient was refused")
    except (smtplib.SMTPException, OSError) as error:
        return SendResult(Outcome.RETRYABLE, answer=snippet(f"mail error ({type(error).__name__})"))
    if not sent:
        return SendResult(Outcome.RETRYABLE, answer="the mailer sent nothing")
    return SendResult(Outcome.DELIVERED, answer=f"sent to {len(recipients)} recipient(s)")
