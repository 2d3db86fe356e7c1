"""Noise control (pure): quiet hours, digest, hourly cap with a summary, escalation. Table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from orderguard.alerts.noise import (
    Action,
    NoisePolicy,
    PendingAlert,
    delivery_plan,
    escalation_due,
    hourly_cap_split,
    next_free_slot,
    quiet_hours_end,
    summarise,
)

AMS = "Europe/Amsterdam"  # UTC+1 in winter, UTC+2 in summer
NIGHT = NoisePolicy(quiet_start=time(22), quiet_end=time(7), timezone=AMS)
LUNCH = NoisePolicy(quiet_start=time(12), quiet_end=time(13), timezone="America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("policy", "now", "end"),
    [
        (NIGHT, utc(2026, 12, 1, 20, 59), None),  # 21:59 in Amsterdam
        (NIGHT, utc(2026, 12, 1, 21, 0), utc(2026, 12, 2, 6, 0)),  # 22:00 -> 07:00 tomorrow
        (NIGHT, utc(2026, 12, 2, 2, 30), utc(2026, 12, 2, 6, 0)),  # 03:30, after midnight
        (NIGHT, utc(2026, 12, 2, 6, 0), None),  # 07:00 is outside
        (NIGHT, utc(2026, 7, 1, 20, 30), utc(2026, 7, 2, 5, 0)),  # summer time: 22:30 -> 07:00 CEST
        (NIGHT, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 5, 0)),  # the night the clocks go forward
        (LUNCH, utc(2026, 12, 1, 17, 15), utc(2026, 12, 1, 18, 0)),  # 12:15 in New York
        (LUNCH, utc(2026, 12, 1, 18, 0), None),
        (NoisePolicy(), utc(2026, 12, 1, 3), None),  # no quiet hours
        (NoisePolicy(quiet_start=time(9), quiet_end=time(9)), utc(2026, 12, 1, 9), None),  # empty window
        (NoisePolicy(quiet_start=time(0), quiet_end=time(6), timezone="Not/AZone"), utc(2026, 12, 1, 5), utc(2026, 12, 1, 6)),
    ],
)
def test_quiet_hours_in_the_shops_time_zone(policy, now, end):
    assert quiet_hours_end(now=now, policy=policy) == end


@pytest.mark.parametrize(
    ("policy", "now", "urgent", "action", "not_before"),
    [
        (NIGHT, utc(2026, 12, 1, 12), False, Action.SEND, utc(2026, 12, 1, 12)),
        (NIGHT, utc(2026, 12, 1, 23), False, Action.HOLD, utc(2026, 12, 2, 6)),
        (NIGHT, utc(2026, 12, 1, 23), True, Action.SEND, utc(2026, 12, 1, 23)),  # urgent ones excepted
        (
            NoisePolicy(quiet_start=time(22), quiet_end=time(7), timezone=AMS, urgent_bypasses_quiet_hours=False),
            utc(2026, 12, 1, 23),
            True,
            Action.HOLD,
            utc(2026, 12, 2, 6),
        ),
        (NoisePolicy(digest_at=time(8), timezone=AMS), utc(2026, 12, 1, 12), False, Action.DIGEST, utc(2026, 12, 2, 7)),
        (NoisePolicy(digest_at=time(8), timezone=AMS), utc(2026, 12, 1, 6), False, Action.DIGEST, utc(2026, 12, 1, 7)),
        (NoisePolicy(digest_at=time(8), timezone=AMS), utc(2026, 12, 1, 7), False, Action.DIGEST, utc(2026, 12, 2, 7)),
        (NoisePolicy(digest_at=time(8), timezone=AMS), utc(2026, 12, 1, 12), True, Action.SEND, utc(2026, 12, 1, 12)),
    ],
)
def test_delivery_plan(policy, now, urgent, action, not_before):
    plan = delivery_plan(policy=policy, now=now, urgent=urgent)
    assert (plan.action, plan.not_before) == (action, not_before)


NOW = utc(2026, 12, 1, 12)


def _pending(n: int, *, urgent: bool = False, event: str = "order_stuck", money: str = "10.00") -> PendingAlert:
    return PendingAlert(alert_id=n, event=event, created_at=NOW - timedelta(minutes=60 - n), urgent=urgent, money=Decimal(money), currency="EUR")


@pytest.mark.parametrize(
    ("sent_minutes_ago", "pending", "cap", "sent_ids"),
    [
        ([], [_pending(1), _pending(2)], 3, [1, 2]),
        ([5, 10], [_pending(1), _pending(2)], 3, [1]),
        ([5, 10, 20], [_pending(1)], 3, []),
        ([61, 90, 120], [_pending(1), _pending(2)], 2, [1, 2]),  # older than an hour no longer counts
        ([5], [_pending(1), _pending(2), _pending(3, urgent=True)], 2, [3]),  # urgent first
        ([], [_pending(3), _pending(1), _pending(2)], 2, [1, 2]),  # oldest first
        ([], [_pending(1)], 0, []),
    ],
)
def test_hourly_cap_per_destination(sent_minutes_ago, pending, cap, sent_ids):
    sent_at = [NOW - timedelta(minutes=m) for m in sent_minutes_ago]
    send, held = hourly_cap_split(pending=pending, sent_at=sent_at, now=NOW, cap=cap)
    assert [a.alert_id for a in send] == sent_ids
    assert sorted(a.alert_id for a in send + held) == sorted(a.alert_id for a in pending)


def test_what_was_held_back_is_summarised():
    held = [_pending(1), _pending(2, money="5.50"), _pending(3, event="auto_cancel_near_7d"), _pending(4)]
    summary = summarise(held)
    assert summary.count == 4
    assert summary.by_event == {"order_stuck": 3, "auto_cancel_near_7d": 1}
    assert summary.money == {"EUR": Decimal("35.50")}
    assert summary.alert_ids == (1, 2, 3, 4)
    assert summarise([]).count == 0


@pytest.mark.parametrize(
    ("sent_minutes_ago", "cap", "free_in_minutes"),
    [([], 3, 0), ([5, 10], 3, 0), ([5, 10, 20], 3, 40), ([1, 2, 3, 4], 3, 57)],
)
def test_next_free_slot(sent_minutes_ago, cap, free_in_minutes):
    sent_at = [NOW - timedelta(minutes=m) for m in sent_minutes_ago]
    assert next_free_slot(sent_at=sent_at, now=NOW, cap=cap) == NOW + timedelta(minutes=free_in_minutes)


@pytest.mark.parametrize(
    ("stuck_hours_ago", "resolved", "escalated", "due"),
    [
        (None, False, False, False),
        (23.9, False, False, False),
        (24, False, False, True),
        (30, False, False, True),
        (30, True, False, False),  # resolved meanwhile
        (30, False, True, False),  # once
    ],
)
def test_escalation_after_24_hours_stuck(stuck_hours_ago, resolved, escalated, due):
    stuck_since = None if stuck_hours_ago is None else NOW - timedelta(hours=stuck_hours_ago)
    assert escalation_due(stuck_since=stuck_since, now=NOW, resolved=resolved, escalated=escalated) is due
