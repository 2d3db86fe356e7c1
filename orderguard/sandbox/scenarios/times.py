"""Times in scenarios: relative to the moment of loading ("-3h", "-26h", "-10m", "-2d", "-1d4h30m",
"+5m", "now") or absolute ISO-8601 ("2026-11-27T10:00:00Z")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.utils.dateparse import parse_datetime

_RELATIVE = re.compile(r"^([+-])((?:\d+(?:\.\d+)?[wdhms])+)$")
_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_time(value: str, *, now: datetime) -> datetime:
    text = str(value).strip().replace(" ", "")
    if text == "now":
        return now
    match = _RELATIVE.match(text)
    if match:
        delta = sum((timedelta(**{_UNITS[unit]: float(amount)}) for amount, unit in _PART.findall(match.group(2))), timedelta())
        return now + delta if match.group(1) == "+" else now - delta
    moment = parse_datetime(str(value).strip())
    if moment is None:
        raise ValueError(f'{value!r} is not a time: use "-3h", "-2d4h", "+10m", "now" or ISO-8601')
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
