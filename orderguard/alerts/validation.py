"""What a destination's target may be. Webhook URLs are secrets: errors never repeat them.

Production: https only, to a host name (no IP literal, no credentials in
the URL); Slack URLs on hooks.slack.com; Teams URLs on Power Automate/Power Platform (Workflows), never
the retired Office 365 connectors. The demo and test profiles also accept loopback receivers.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from orderguard.alerts.models import AlertDestination

MAX_RECIPIENTS = 10
MAX_URL_LENGTH = 2000
SLACK_HOSTS = ("hooks.slack.com",)
TEAMS_HOST_SUFFIXES = (".api.powerplatform.com", ".powerautomate.com", ".powerplatform.com", "flow.microsoft.com")
RETIRED_TEAMS_HOST_SUFFIXES = ("webhook.office.com", ".logic.azure.com")
LOOPBACK_HOSTS = ("localhost",)


def destination_target_validate(*, kind: str, target: str, allow_loopback: bool) -> str:
    """The normalised target, or ValidationError with a message for the settings page."""
    target = (target or "").strip()
    if kind == AlertDestination.Kind.EMAIL:
        return ", ".join(recipients_validate(target))
    return webhook_url_validate(kind=kind, url=target, allow_loopback=allow_loopback)


def recipients_validate(value: str) -> list[str]:
    recipients = list(dict.fromkeys(a.strip().lower() for a in value.replace(";", ",").split(",") if a.strip()))
    if not recipients:
        raise ValidationError(_("Enter at least one email address."))
    if len(recipients) > MAX_RECIPIENTS:
        raise ValidationError(_("Enter at most %(count)d email addresses.") % {"count": MAX_RECIPIENTS})
    for address in recipients:
        validate_email(address)
    return recipients


def webhook_url_validate(*, kind: str, url: str, allow_loopback: bool) -> str:
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(_("This webhook URL is too long."))
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValidationError(_("Enter a valid webhook URL.")) from None
    if not host or parts.scheme not in ("https", "http") or parts.username or parts.password:
        raise ValidationError(_("Enter a valid webhook URL."))
    if _is_loopback(host):
        if allow_loopback:
            return url
        raise ValidationError(_("The webhook URL must be on the public internet."))
    if parts.scheme != "https":
        raise ValidationError(_("The webhook URL must start with https://."))
    if _is_ip_literal(host):
        raise ValidationError(_("The webhook URL must be on the public internet."))
    if kind == AlertDestination.Kind.SLACK and host not in SLACK_HOSTS:
        raise ValidationError(_("A Slack incoming webhook URL starts with https://hooks.slack.com/."))
    if kind == AlertDestination.Kind.TEAMS:
        if host.endswith(RETIRED_TEAMS_HOST_SUFFIXES):
            raise ValidationError(
                _("Microsoft retired this kind of Teams webhook. Create a Workflows webhook in Teams instead.")
            )
        if not host.endswith(TEAMS_HOST_SUFFIXES):
            raise ValidationError(_("Use the URL of a Teams Workflows webhook (Power Automate)."))
    return url


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
