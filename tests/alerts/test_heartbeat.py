"""The channel heartbeat (pure): a drop is caught within the promised time; normal weekday and hour
variation, and a quiet shop, raise no alarm over many simulated weeks (seeded)."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import pytest

from orderguard.alerts import heartbeat
from orderguard.alerts.heartbeat import HourCount, heartbeat_check, meta_without_shopify, profile_learn

MONDAY = datetime(2026, 1, 5)  # local time of the shop
WINDOW = max(heartbeat.WINDOWS_HOURS)

# A shop whose channel sells more in the evening and at weekends, almost nothing at night.
HOUR_SHAPE = [0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.1, 1.0, 0.9, 0.9, 1.0, 1.1, 1.3, 1.5, 1.6, 1.4, 0.9, 0.4]
WEEKDAY_SHAPE = [0.9, 0.85, 0.9, 1.0, 1.1, 1.3, 1.25]


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _simulate(rng: random.Random, *, start: datetime, hours: int, peak: float, dispersion: float = 0.25) -> list[HourCount]:
    """Poisson counts around the weekday-hour shape, with a random factor per day (busy and slow days)."""
    counts, day_factor, day = [], 1.0, None
    for n in range(hours):
        moment = start + timedelta(hours=n)
        if moment.date() != day:
            day = moment.date()
            shape = 1 / dispersion**2
            day_factor = rng.gammavariate(shape, 1 / shape)
        mean = peak * HOUR_SHAPE[moment.hour] * WEEKDAY_SHAPE[moment.weekday()] * day_factor
        counts.append(HourCount(moment, _poisson(rng, mean)))
    return counts


def _alarm_episodes(profile, counts: list[HourCount]) -> int:
    """Alarms over a run evaluated every hour; consecutive alarming hours are one episode (one alert)."""
    episodes, alarming = 0, False
    for end in range(WINDOW, len(counts) + 1):
        alert = heartbeat_check(profile=profile, recent=counts[end - WINDOW : end]).alert
        episodes += alert and not alarming
        alarming = alert
    return episodes


def test_alpha_is_the_stated_false_alarm_budget():
    assert heartbeat.ALPHA == pytest.approx(1 / (90 * 24 * 12))
    assert -math.log(heartbeat.ALPHA) == pytest.approx(10.16, abs=0.01)


def test_normal_weekday_and_hour_variation_stays_within_the_false_alarm_budget():
    """Three shops, half a year each, days varying by 25 %: at most one false alarm per 90 days."""
    episodes, days = 0, 0
    for seed in (1, 2, 3):
        rng = random.Random(seed)
        profile = profile_learn(_simulate(rng, start=MONDAY, hours=8 * 168, peak=3.0))
        after = _simulate(rng, start=MONDAY + timedelta(weeks=8), hours=26 * 168, peak=3.0)
        episodes += _alarm_episodes(profile, after)
        days += 26 * 7
    assert episodes <= heartbeat.FALSE_ALARMS_PER_90_DAYS * days / 90


def test_steady_days_raise_no_alarm_at_all():
    rng = random.Random(4)
    profile = profile_learn(_simulate(rng, start=MONDAY, hours=8 * 168, peak=3.0, dispersion=0.05))
    after = _simulate(rng, start=MONDAY + timedelta(weeks=8), hours=26 * 168, peak=3.0, dispersion=0.05)
    assert _alarm_episodes(profile, after) == 0


def test_a_quiet_shop_with_few_orders_never_alarms_even_after_a_silent_day():
    rng = random.Random(7)
    history = _simulate(rng, start=MONDAY, hours=8 * 168, peak=0.08)  # about one channel order a day
    profile = profile_learn(history)
    after = _simulate(rng, start=MONDAY + timedelta(weeks=8), hours=26 * 168, peak=0.08)
    assert _alarm_episodes(profile, after) == 0
    silent = [HourCount(MONDAY + timedelta(weeks=40, hours=n), 0) for n in range(WINDOW)]
    assert heartbeat_check(profile=profile, recent=silent).reason == "quiet"
    assert heartbeat.detection_hours(profile=profile, start=MONDAY + timedelta(weeks=40)) is None


def _promise(profile, start: datetime) -> int:
    """The first window length whose expectation makes a silence this unlikely: P(0) < ALPHA, where P(0)
    is exp(-E) for Poisson days and (r / (r + E)) ** r for days that vary (r = 1 / dispersion)."""
    for hours in heartbeat.WINDOWS_HOURS:
        expected = sum(profile.expected(start + timedelta(hours=n)) for n in range(hours))
        r = 1 / profile.dispersion
        if expected >= heartbeat.MIN_EXPECTED and (r / (r + expected)) ** r < heartbeat.ALPHA:
            return hours
    raise AssertionError("no window long enough")


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_a_channel_that_stops_is_caught_within_the_promised_time(seed):
    rng = random.Random(seed)
    profile = profile_learn(_simulate(rng, start=MONDAY, hours=8 * 168, peak=3.0))
    drop_at = MONDAY + timedelta(weeks=9, days=1, hours=10)  # a Tuesday, 10:00
    before = _simulate(rng, start=drop_at - timedelta(hours=WINDOW), hours=WINDOW, peak=3.0)
    promised = heartbeat.detection_hours(profile=profile, start=drop_at)
    assert 0.02 < profile.dispersion < 0.15  # learned from the history's busy and slow days (0.0625)
    assert promised == _promise(profile, drop_at)
    assert promised <= 6
    assert not heartbeat_check(profile=profile, recent=before).alert
    counts = list(before)
    for hour in range(promised):
        counts.append(HourCount(drop_at + timedelta(hours=hour), 0))
        verdict = heartbeat_check(profile=profile, recent=counts[-WINDOW:])
        if verdict.alert:
            break
    assert verdict.alert and verdict.reason == "drop" and verdict.observed == 0
    assert verdict.expected >= heartbeat.MIN_EXPECTED and verdict.p_value < heartbeat.ALPHA


def test_a_rate_that_falls_to_a_tenth_is_caught_within_a_day():
    rng = random.Random(21)
    profile = profile_learn(_simulate(rng, start=MONDAY, hours=8 * 168, peak=3.0, dispersion=0.01))
    drop_at = MONDAY + timedelta(weeks=9, days=2, hours=8)
    counts = _simulate(rng, start=drop_at - timedelta(hours=WINDOW), hours=WINDOW, peak=3.0, dispersion=0.01)
    for hour, entry in enumerate(_simulate(rng, start=drop_at, hours=24, peak=0.3, dispersion=0.01)):
        counts.append(entry)
        if heartbeat_check(profile=profile, recent=counts[-WINDOW:]).alert:
            break
    else:
        pytest.fail("a drop to 10 % of the usual rate went unnoticed for a day")
    assert hour < 24


def test_a_slow_day_is_not_a_drop():
    rng = random.Random(31)
    profile = profile_learn(_simulate(rng, start=MONDAY, hours=8 * 168, peak=3.0, dispersion=0.01))
    start = MONDAY + timedelta(weeks=9)
    counts = _simulate(rng, start=start, hours=WINDOW, peak=1.5, dispersion=0.01)  # half the usual rate
    assert heartbeat_check(profile=profile, recent=counts).alert is False


def test_too_little_history_is_learning():
    profile = profile_learn([HourCount(MONDAY + timedelta(hours=n), 3) for n in range(2 * 168)])
    silent = [HourCount(MONDAY + timedelta(weeks=3, hours=n), 0) for n in range(WINDOW)]
    assert heartbeat_check(profile=profile, recent=silent).reason == "learning"


@pytest.mark.parametrize(("k", "mean", "expected"), [(0, 10.0, math.exp(-10)), (2, 1.0, 2.5 * math.exp(-1)), (0, 0.0, 1.0), (300, 300.0, 0.5154)])
def test_poisson_cdf(k, mean, expected):
    assert heartbeat.poisson_cdf(k, mean) == pytest.approx(expected, rel=1e-3)


NOW = datetime(2026, 12, 1, 12)


@pytest.mark.parametrize(
    ("meta_minutes_ago", "shopify_minutes_ago", "alert"),
    [
        ([180, 120], [], True),  # Meta has two settled orders, Shopify none
        ([180, 120], [90], False),  # Shopify received one since
        ([180, 120], [300], True),  # a Shopify order from before does not count
        ([180], [], False),  # one order is not enough to tell
        ([30, 20], [], False),  # still within the grace period
        ([], [], False),
    ],
)
def test_meta_shows_orders_but_shopify_received_none(meta_minutes_ago, shopify_minutes_ago, alert):
    gap = meta_without_shopify(
        meta_order_times=[NOW - timedelta(minutes=m) for m in meta_minutes_ago],
        shopify_order_times=[NOW - timedelta(minutes=m) for m in shopify_minutes_ago],
        now=NOW,
    )
    assert gap.alert is alert
