"""Send one message to one destination through its channel (shared by deliveries and the test button)."""

from __future__ import annotations

from orderguard.alerts.channels import email, signed_webhook, slack, teams
from orderguard.alerts.channels.results import SendResult
from orderguard.alerts.messages import AlertMessage
from orderguard.alerts.models import AlertDestination


def destination_send(*, destination: AlertDestination, message: AlertMessage, message_id: str) -> SendResult:
    """`message_id` is stable across retries of one delivery (the signed webhook's `webhook-id`)."""
    match destination.kind:
        case AlertDestination.Kind.SLACK:
            return slack.send(url=destination.target, message=message)
        case AlertDestination.Kind.TEAMS:
            return teams.send(url=destination.target, message=message)
        case AlertDestination.Kind.WEBHOOK:
            return signed_webhook.send(
                url=destination.target, secret=destination.signing_secret, message_id=message_id, message=message
            )
        case AlertDestination.Kind.EMAIL:
            return email.send(recipients=email.recipients_parse(destination.target), message=message)
    raise ValueError(f"Unknown destination kind {destination.kind!r}")
