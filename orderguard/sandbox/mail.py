"""The demo's mailer: each message the app sends is printed (as Django's console backend does) and kept
in the sandbox's database, where /_sandbox/mail/ lists it. Named by MAILERS in the demo and test profiles
(orderguard/settings.py); production never loads it."""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from orderguard.sandbox.models import SandboxMail

LISTED = 100


class SandboxMailBackend(ConsoleEmailBackend):
    def send_messages(self, email_messages) -> int:
        sent = super().send_messages(email_messages)
        for message in email_messages:
            SandboxMail.objects.create(
                sender=message.from_email,
                to=", ".join(message.to),
                reply_to=", ".join(message.reply_to),
                subject=message.subject,
                body=message.body,
                message_id=str(message.extra_headers.get("Message-ID", "")),
            )
        return sent


@require_GET
def mail_list(request: HttpRequest) -> HttpResponse:
    """The mails the app sent, newest first."""
    return render(request, "sandbox/mail_list.html", {"mails": SandboxMail.objects.order_by("-sent_at", "-pk")[:LISTED]})
