"""The heartbeat of a social channel: are Facebook/Instagram orders still arriving in Shopify?

Pure functions over hourly counts; the caller reads the counts (Shopify orders attributed to the
channel, by hour in the shop's time zone) and decides what to do with the verdict. It works the same for
Meta-checkout and website-checkout shops: only orders that reached Shopify are counted.

How it decides
--------------
1. The usual rate. From the shop's history (at least MIN_HISTORY_WEEKS of hourly counts) it learns the
   expected number of channel orders for each of the 168 weekday-hours: the mean of that weekday-hour
   over the weeks seen, shrunk towards the mean of that hour over all days (so four Tuesdays at 10:00
   are not the whole story), plus a floor of zero.
2. The silent window. For each window length L in WINDOWS_HOURS (1 h ... 72 h) ending at the last
   complete hour, it adds up the expected orders E and the orders observed O.
3. The test. Orders arriving independently at the learned rate would be Poisson, but real days are
   busier or slower as a whole (campaigns, weather, paydays). So the count of a window is modelled as
   Poisson(E x F) with a day factor F ~ Gamma(mean 1, variance phi), i.e. negative binomial, and phi
   is estimated from the history's day totals (method of moments: Var = E + phi E^2; phi = 0 is plain
   Poisson). P = P(X <= O | mean E, phi). It alerts when, for some window,
   - E >= MIN_EXPECTED (10 orders): a quiet shop with a handful of orders a day never alerts;
   - O <= MAX_OBSERVED_SHARE x E (25 %): the rate fell *far* below its usual level, not a slow day;
   - P < ALPHA.
4. The false-alarm rate it is tuned for: at most FALSE_ALARMS_PER_90_DAYS (1) per shop and channel in
   90 days, evaluated hourly. ALPHA spreads that budget over every hourly evaluation and every window
   length (Bonferroni): ALPHA = 1 / (90 x 24 x len(WINDOWS_HOURS)) ~ 3.9e-5. The 25 % condition adds
   a margin for real-world overdispersion (busy and slow days) that a pure Poisson model ignores.
5. Detection time. A channel that stops completely is reported at the first window length whose
   expected count E has P(0 | E, phi) < ALPHA: E > 10.2 orders for Poisson days (phi = 0), about 14
   when days vary by 25 % (phi = 0.0625); e.g. within 6 hours for a shop that usually gets 3 channel
   orders an hour in the daytime. detection_hours() computes the promise for a given profile.

The second signal, meta_without_shopify(), is simpler: Meta shows new orders for the channel (at least
MIN_META_ORDERS, older than the grace period so Shopify had time to create them), and Shopify received
not one order from the channel since the first of them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_HISTORY_WEEKS = 3
WINDOWS_HOURS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 36, 48, 72)
FALSE_ALARMS_PER_90_DAYS = 1
ALPHA = FALSE_ALARMS_PER_90_DAYS / (90 * 24 * len(WINDOWS_HOURS))
MIN_EXPECTED = 10.0
MAX_OBSERVED_SHARE = 0.25
# How strongly a weekday-hour's own mean is pulled towards the mean of that hour on all days (in weeks).
SHRINKAGE_WEEKS = 2.0
# Days vary by at most 100 % beyond Poisson noise; more than that is not a usable profile.
MAX_DISPERSION = 1.0

MIN_META_ORDERS = 2
META_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class HourCount:
    """Channel orders that reached Shopify in the hour starting at `start` (the shop's local time)."""

    start: datetime
    count: int


@dataclass(frozen=True)
class Profile:
    """Expected channel orders per (weekday, hour); weeks = how much history it was learned from."""

    rates: dict[tuple[int, int], float]
    weeks: float
    # Squared coefficient of variation of whole days beyond Poisson noise (0 = plain Poisson).
    dispersion: float = 0.0

    def expected(self, start: datetime) -> float:
        return self.rates.get((start.weekday(), start.hour), 0.0)


@dataclass(frozen=True)
class Verdict:
    alert: bool
    # "learning" (too little history), "quiet" (too few orders expected to tell), "normal", "drop".
    reason: str
    window_hours: int = 0
    expected: float = 0.0
    observed: int = 0
    p_value: float = 1.0


def profile_learn(history: list[HourCount]) -> Profile:
    if not history:
        return Profile(rates={}, weeks=0.0)
    slot_total: dict[tuple[int, int], float] = defaultdict(float)
    slot_seen: dict[tuple[int, int], int] = defaultdict(int)
    hour_total: dict[int, float] = defaultdict(float)
    hour_seen: dict[int, int] = defaultdict(int)
    for entry in history:
        slot = (entry.start.weekday(), entry.start.hour)
        slot_total[slot] += entry.count
        slot_seen[slot] += 1
        hour_total[entry.start.hour] += entry.count
        hour_seen[entry.start.hour] += 1
    rates = {}
    for weekday in range(7):
        for hour in range(24):
            prior = hour_total[hour] / hour_seen[hour] if hour_seen[hour] else 0.0
            seen = slot_seen.get((weekday, hour), 0)
            rates[(weekday, hour)] = (slot_total.get((weekday, hour), 0.0) + SHRINKAGE_WEEKS * prior) / (seen + SHRINKAGE_WEEKS)
    profile = Profile(rates=rates, weeks=len(history) / 168)
    return Profile(rates=rates, weeks=profile.weeks, dispersion=_day_dispersion(profile, history))


def _day_dispersion(profile: Profile, history: list[HourCount]) -> float:
    """phi from Var(day total) = E + phi E^2, clipped to [0, MAX_DISPERSION]."""
    observed: dict = defaultdict(int)
    expected: dict = defaultdict(float)
    for entry in history:
        observed[entry.start.date()] += entry.count
        expected[entry.start.date()] += profile.expected(entry.start)
    excess = sum((observed[day] - expected[day]) ** 2 - expected[day] for day in expected)
    scale = sum(value**2 for value in expected.values())
    return min(max(excess / scale, 0.0), MAX_DISPERSION) if scale else 0.0


def heartbeat_check(*, profile: Profile, recent: list[HourCount]) -> Verdict:
    """Decide from the last complete hours (oldest first, consecutive) whether the channel went silent."""
    if profile.weeks < MIN_HISTORY_WEEKS:
        return Verdict(False, "learning")
    best: Verdict | None = None
    largest_expected = 0.0
    for hours in WINDOWS_HOURS:
        if hours > len(recent):
            break
        window = recent[-hours:]
        expected = sum(profile.expected(entry.start) for entry in window)
        observed = sum(entry.count for entry in window)
        largest_expected = max(largest_expected, expected)
        if expected < MIN_EXPECTED or observed > MAX_OBSERVED_SHARE * expected:
            continue
        p_value = count_cdf(observed, expected, dispersion=profile.dispersion)
        if p_value < ALPHA and (best is None or p_value < best.p_value):
            best = Verdict(True, "drop", hours, expected, observed, p_value)
    if best is not None:
        return best
    return Verdict(False, "quiet" if largest_expected < MIN_EXPECTED else "normal")


def count_cdf(k: int, mean: float, *, dispersion: float) -> float:
    """P(X <= k) for a count with this mean: Poisson, or negative binomial when dispersion > 0."""
    if dispersion <= 0:
        return poisson_cdf(k, mean)
    if mean <= 0:
        return 1.0
    r = 1 / dispersion
    log_p, log_q = math.log(r / (r + mean)), math.log(mean / (r + mean))
    log_terms = [math.lgamma(i + r) - math.lgamma(r) - math.lgamma(i + 1) + r * log_p + i * log_q for i in range(k + 1)]
    return _sum_exp(log_terms)


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean), summed in log space (stable for large means)."""
    if mean <= 0:
        return 1.0
    return _sum_exp([-mean + i * math.log(mean) - math.lgamma(i + 1) for i in range(k + 1)])


def _sum_exp(log_terms: list[float]) -> float:
    top = max(log_terms)
    return min(1.0, math.exp(top) * sum(math.exp(term - top) for term in log_terms))


def detection_hours(*, profile: Profile, start: datetime, limit: int = 168) -> int | None:
    """How many silent hours from `start` until a complete stop is reported (the promise); None if not
    within `limit` hours (a quiet shop)."""
    recent: list[HourCount] = []
    for hour in range(limit):
        recent.append(HourCount(start + timedelta(hours=hour), 0))
        if heartbeat_check(profile=profile, recent=recent[-max(WINDOWS_HOURS):]).alert:
            return hour + 1
    return None


@dataclass(frozen=True)
class MetaGap:
    alert: bool
    meta_orders: int = 0
    since: datetime | None = None


def meta_without_shopify(
    *, meta_order_times: list[datetime], shopify_order_times: list[datetime], now: datetime, grace: timedelta = META_GRACE
) -> MetaGap:
    """Meta shows new channel orders (older than the grace period) but Shopify received none since."""
    settled = sorted(moment for moment in meta_order_times if moment <= now - grace)
    if len(settled) < MIN_META_ORDERS:
        return MetaGap(False, len(settled))
    since = settled[0]
    arrived = any(moment >= since for moment in shopify_order_times)
    return MetaGap(not arrived, len(settled), since)
