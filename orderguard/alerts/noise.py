"""Noise control, as pure functions over plain values (no ORM, no clock of its own): the caller passes
`now` and what it knows, and gets a decision back.

- Quiet hours, in the shop's time zone: alerts raised inside the window are held until it ends; urgent
  ones go out at once when the policy says so. Windows may cross midnight (22:00-07:00).
- Daily digest: a destination in digest mode gets one message a day at its digest time with everything
  since the last one (urgent alerts still go out at once when the policy lets them through quiet hours).
- Hourly cap per destination: at most `hourly_cap` sends in any 60 minutes; the rest is held back and
  summarised ("and 7 more alerts: 5 stuck orders, 2 ..."), urgent alerts first in line for the slots.
- Escalation: an order still stuck 24 hours after it became stuck goes to the second recipient, once.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HOUR = timedelta(hours=1)
ESCALATE_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class NoisePolicy:
    hourly_cap: int = 10
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = "UTC"
    urgent_bypasses_quiet_hours: bool = True
    # Daily digest mode when set: the local time the digest goes out.
    digest_at: time | None = None


class Action(enum.StrEnum):
    SEND = "send"
    HOLD = "hold"  # quiet hours: send at not_before
    DIGEST = "digest"  # wait for the digest at not_before


@dataclass(frozen=True)
class Plan:
    action: Action
    not_before: datetime


@dataclass(frozen=True)
class PendingAlert:
    """What the cap and the summaries need to know of an alert waiting to go out."""

    alert_id: int
    event: str
    created_at: datetime
    urgent: bool = False
    money: Decimal = Decimal(0)
    currency: str = ""


@dataclass(frozen=True)
class Summary:
    """What was held back (or collected for a digest): counts by event and money by currency."""

    count: int = 0
    by_event: dict[str, int] = field(default_factory=dict)
    money: dict[str, Decimal] = field(default_factory=dict)
    alert_ids: tuple[int, ...] = ()


def zone(name: str) -> ZoneInfo:
    """The shop's IANA zone; UTC when unknown (a shop whose details are not synced yet)."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def delivery_plan(*, policy: NoisePolicy, now: datetime, urgent: bool) -> Plan:
    """When an alert raised at `now` may go to a destination with this policy."""
    passes_quiet_hours = urgent and policy.urgent_bypasses_quiet_hours
    if policy.digest_at is not None and not passes_quiet_hours:
        return Plan(Action.DIGEST, next_local_time(now=now, at=policy.digest_at, timezone=policy.timezone))
    release = quiet_hours_end(now=now, policy=policy)
    if release is not None and not passes_quiet_hours:
        return Plan(Action.HOLD, release)
    return Plan(Action.SEND, now)


def quiet_hours_end(*, now: datetime, policy: NoisePolicy) -> datetime | None:
    """The end of the quiet window `now` falls in (UTC), or None outside it (or without quiet hours)."""
    start, end = policy.quiet_start, policy.quiet_end
    if start is None or end is None or start == end:
        return None
    tz = zone(policy.timezone)
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_date = local.date()
    else:  # crosses midnight: inside from start to 24:00 and from 00:00 to end
        inside = clock >= start or clock < end
        end_date = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_date, end, tzinfo=tz).astimezone(UTC)


def next_local_time(*, now: datetime, at: time, timezone: str) -> datetime:
    """The next moment (after now) the shop's wall clock shows `at`, in UTC."""
    tz = zone(timezone)
    local = now.astimezone(tz)
    candidate = datetime.combine(local.date(), at, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=tz)
    return candidate.astimezone(UTC)


def hourly_cap_split(
    *, pending: list[PendingAlert], sent_at: list[datetime], now: datetime, cap: int
) -> tuple[list[PendingAlert], list[PendingAlert]]:
    """(send now, hold back): at most `cap` sends in the 60 minutes up to now, urgent alerts first, then
    oldest first. The held-back ones go out as one summary when a slot frees up."""
    used = sum(1 for moment in sent_at if now - HOUR < moment <= now)
    free = max(cap - used, 0)
    ordered = sorted(pending, key=lambda alert: (not alert.urgent, alert.created_at, alert.alert_id))
    return ordered[:free], ordered[free:]


def next_free_slot(*, sent_at: list[datetime], now: datetime, cap: int) -> datetime:
    """When the cap next lets a message through (now if it already does)."""
    recent = sorted(moment for moment in sent_at if now - HOUR < moment <= now)
    if len(recent) < cap:
        return now
    return recent[len(recent) - cap] + HOUR


def summarise(alerts: list[PendingAlert]) -> Summary:
    money: dict[str, Decimal] = {}
    for alert in alerts:
        if alert.currency:
            money[alert.currency] = money.get(alert.currency, Decimal(0)) + alert.money
    return Summary(
        count=len(alerts),
        by_event=dict(Counter(alert.event for alert in alerts).most_common()),
        money=money,
        alert_ids=tuple(sorted(alert.alert_id for alert in alerts)),
    )


def escalation_due(
    *, stuck_since: datetime | None, now: datetime, resolved: bool, escalated: bool, after: timedelta = ESCALATE_AFTER
) -> bool:
    """An order stuck for `after` (24 h) and still not resolved is escalated, once."""
    return stuck_since is not None and not resolved and not escalated and now - stuck_since >= after
