"""The one timestamp parser both clients use reads each platform's format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from orderguard.integrations._time import parse_datetime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-27T10:00:00Z", datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),  # Shopify
        ("2026-11-27T10:00:00+0000", datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),  # Meta
        ("2026-11-27T11:00:00+01:00", datetime(2026, 11, 27, 11, 0, tzinfo=timezone(timedelta(hours=1)))),
        ("2026-11-27T10:00:00", datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),  # no offset: UTC
    ],
)
def test_platform_timestamps_become_aware_datetimes(value, expected):
    parsed = parse_datetime(value)
    assert parsed == expected and parsed.tzinfo is not None


@pytest.mark.parametrize("value", ["", None, "yesterday", 5, "2026-13-01T00:00:00Z"])
def test_anything_else_is_none(value):
    assert parse_datetime(value) is None
