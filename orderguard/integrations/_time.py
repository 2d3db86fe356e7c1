"""Timestamps as the platforms send them, for both clients (plain Python: integrations import no Django)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_datetime(value: Any) -> datetime | None:
    """ISO-8601 as Shopify ("2026-11-27T10:00:00Z") or Meta ("2026-11-27T10:00:00+0000") sends it, as an
    aware datetime; a value without an offset is taken as UTC. Anything else (empty, not a string,
    not a date) is None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
