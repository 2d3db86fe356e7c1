"""Times as a merchant reads them: in the shop's time zone (Shopify's `ianaTimezone`), in the admin's
language (CLDR, via Babel), with the zone named ("27 Dec 2026, 14:05 CET")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_datetime_format
from django.utils import translation

_BABEL_LOCALES = {"en": "en_US", "nl": "nl_NL"}
UTC_ZONE = ZoneInfo("UTC")


def babel_locale() -> str:
    """The active language as a Babel locale."""
    language = translation.get_language() or "en"
    return _BABEL_LOCALES.get(language, language.replace("-", "_"))


def shop_zone(shop) -> ZoneInfo:
    """The shop's zone; UTC when Shopify did not say or named one this machine does not know."""
    name = getattr(shop, "iana_timezone", "") or ""
    try:
        return ZoneInfo(name) if name else UTC_ZONE
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def shop_datetime(value: datetime | None, *, zone: ZoneInfo, with_zone: bool = True, locale: str | None = None) -> str:
    """A date and time in `zone`, formatted for the locale, the zone's abbreviation appended."""
    if value is None:
        return "—"
    locale = locale or babel_locale()
    local = value.astimezone(zone)
    try:
        pattern = get_datetime_format("medium", locale=locale)
        text = pattern.replace("{1}", format_date(local, "medium", locale=locale)).replace("{0}", format_time(local, "short", locale=locale))
    except (ValueError, LookupError):
        text = local.strftime("%Y-%m-%d %H:%M")
    return f"{text} {local.tzname()}" if with_zone else text


def shop_date(value: datetime | None, *, zone: ZoneInfo, locale: str | None = None) -> str:
    """The day in `zone` ("27 Dec 2026")."""
    if value is None:
        return "—"
    try:
        return format_date(value.astimezone(zone), "medium", locale=locale or babel_locale())
    except (ValueError, LookupError):
        return value.astimezone(zone).strftime("%Y-%m-%d")
