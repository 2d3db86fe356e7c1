"""Formatting for the merchant's locale: money (CLDR, via Babel), ages, countdowns, status badges."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from orderguard.orders.exports import shopify_admin_path
from orderguard.orders.reasons import humanize_duration, reason_text, status_label
from orderguard.reconciliation.engine import NEEDS_ACTION, Status

register = template.Library()

_BABEL_LOCALES = {"en": "en_US", "nl": "nl_NL"}


def _babel_locale() -> str:
    language = translation.get_language() or "en"
    return _BABEL_LOCALES.get(language, language.replace("-", "_"))


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """1234.5, "USD" -> "$1,234.50" (en) or "US$ 1.234,50" (nl)."""
    if amount is None or not currency:
        return "—"
    try:
        return format_currency(amount, currency, locale=_babel_locale())
    except (ValueError, LookupError):
        return f"{amount} {currency}"


@register.filter
def money_text(amount: str | None, currency: str) -> str:
    """Money stored as a decimal string (order items)."""
    if amount in (None, ""):
        return "—"
    try:
        return money(Decimal(str(amount)), currency)
    except ArithmeticError:
        return "—"


@register.filter
def age_between(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "—"
    return humanize_duration(end - start)


@register.filter
def age(value: datetime | None) -> str:
    """How long ago: "3 days", "5 hours"."""
    if value is None:
        return "—"
    return humanize_duration(timezone.now() - value)


@register.filter
def countdown(value: datetime | None) -> str:
    """Time left until a deadline: "in 27 days", or "overdue"."""
    if value is None:
        return "—"
    left = value - timezone.now()
    if left.total_seconds() <= 0:
        return _("overdue")
    return _("in %(duration)s") % {"duration": humanize_duration(left)}


@register.filter
def deadline_urgency(value: datetime | None) -> str:
    """A CSS modifier for a deadline: critical within 3 days, warning within 7."""
    if value is None:
        return ""
    days = (value - timezone.now()).total_seconds() / 86400
    return "critical" if days <= 3 else "warning" if days <= 7 else ""


@register.filter
def match_field_label(field: str) -> str:
    """Where in the Shopify order the Meta id was found, in words."""
    from orderguard.reconciliation import matching

    labels = {
        matching.SOURCE_IDENTIFIER: _("the order's source identifier"),
        matching.FACEBOOK_ORDER_ID_ATTRIBUTE: _("the Facebook Order ID attribute"),
        matching.TAGS: _("a tag"),
        matching.NOTE: _("the note"),
    }
    return labels.get(field, field)


@register.filter
def shopify_admin_url(order, shop) -> str:
    """The order's page in the shop's Shopify admin."""
    return shop.admin_url(shopify_admin_path(order))


@register.filter
def status_name(status: str) -> str:
    return status_label(status)


@register.filter
def reason_sentence(reason: str) -> str:
    return reason_text(reason)


@register.filter
def status_tone(status: str) -> str:
    if status in NEEDS_ACTION:
        return "critical"
    if status == Status.PROCESSING:
        return "info"
    if status == Status.CANCELLED:
        return "neutral"  # closed, but not a success (issue 11, item 8)
    return "success"


@register.simple_tag
def channel_icon(channel: str):
    """The channel's logo with its name for screen readers (status never by colour or icon alone)."""
    if channel == "instagram":
        return mark_safe(
            '<span class="og-channel og-channel-instagram" title="Instagram"><svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">'
            '<rect x="3" y="3" width="18" height="18" rx="5" fill="none" stroke="currentColor" stroke-width="2"/>'
            '<circle cx="12" cy="12" r="4" fill="none" stroke="currentColor" stroke-width="2"/><circle cx="17.5" cy="6.5" r="1.2" fill="currentColor"/></svg>'
            '<span class="og-visually-hidden">Instagram</span></span>'
        )
    if channel == "facebook":
        return mark_safe(
            '<span class="og-channel og-channel-facebook" title="Facebook"><svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">'
            '<circle cx="12" cy="12" r="10" fill="currentColor"/><path d="M13.2 19v-5.6h1.9l.3-2.2h-2.2V9.8c0-.6.2-1.1 1.1-1.1h1.2V6.8a15 15 0 0 0-1.7-.1c-1.7 0-2.9 1-2.9 2.9v1.6H9v2.2h1.9V19z" fill="#fff"/></svg>'
            '<span class="og-visually-hidden">Facebook</span></span>'
        )
    return format_html('<span class="og-channel">{}</span>', channel or "—")


@register.simple_tag
def list_url(query, **overrides) -> str:
    """The orders list URL for `query` with some parameters changed (tabs, sorting, pages)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    params = {"tab": query.tab, "channel": query.channel, "q": query.search, "sort": query.sort, "page": query.page}
    if any(key in overrides for key in ("tab", "channel", "q", "sort")):
        params["page"] = 1
    params.update(overrides)
    defaults = {"tab": "needs_action", "channel": "", "q": "", "sort": "oldest", "page": 1}
    kept = {key: value for key, value in params.items() if value != defaults[key]}
    return reverse("dashboard:home") + (f"?{urlencode(kept)}" if kept else "")
