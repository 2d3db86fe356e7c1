"""The heartbeat on a shop's data: a generated five-week history of channel orders in Shopify. A drop is
detected within the promised time; normal weekday and hour variation, and a quiet shop, raise nothing;
Meta showing orders that Shopify never received is an alert too."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from orderguard.alerts import heartbeat
from orderguard.alerts.heartbeat_watch import HISTORY, RECENT_HOURS, heartbeat_evaluate_shop, hour_counts
from orderguard.alerts.messages import alert_message_build
from orderguard.alerts.models import Alert
from orderguard.orders.models import ShopifySocialOrder
from tests.factories import make_social_order

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 18, 10, tzinfo=UTC)  # a Monday evening


def _rate(local: datetime, busy: float) -> float:
    """Daytime-heavy, weekends busier: orders per hour."""
    day = 1.0 if 9 <= local.hour < 22 else 0.15
    return busy * day * (1.3 if local.weekday() >= 5 else 1.0)


def _history(shop, *, busy: float, silent_from: datetime | None = None, seed: int = 7) -> None:
    rng = random.Random(seed)
    moment = NOW.replace(minute=0) - HISTORY
    rows = []
    while moment < NOW:
        if silent_from is None or moment < silent_from:
            local = moment + timedelta(hours=1)  # Europe/Amsterdam in winter
            for _ in range(_poisson(rng, _rate(local, busy))):
                created = moment + timedelta(minutes=rng.randrange(60))
                rows.append(ShopifySocialOrder(shop=shop, shopify_order_id=f"gid://shopify/Order/{len(rows)}", shopify_created_at=created))
        moment += timedelta(hours=1)
    ShopifySocialOrder.objects.bulk_create(rows)


def _poisson(rng, mean):
    count, threshold, product = 0, pow(2.718281828, -mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def test_a_channel_that_stops_is_reported_within_the_promised_time(shop):
    silent_from = NOW.replace(minute=0) - timedelta(hours=6)
    _history(shop, busy=3.0, silent_from=silent_from)
    moments = list(ShopifySocialOrder.objects.values_list("shopify_created_at", flat=True))
    start = NOW.replace(minute=0) - HISTORY
    profile = heartbeat.profile_learn(hour_counts(moments=moments, start=start, hours=24 * 35, tz_name="Europe/Amsterdam")[:-RECENT_HOURS])
    promise = heartbeat.detection_hours(profile=profile, start=(silent_from + timedelta(hours=1)).replace(tzinfo=None))
    assert promise is not None and promise <= 6
    [alert] = heartbeat_evaluate_shop(shop=shop, now=NOW)
    assert alert.event == "heartbeat_drop" and alert.urgency == "urgent"
    assert alert.payload["heartbeat"]["observed"] == 0 and alert.payload["heartbeat"]["expected"] >= heartbeat.MIN_EXPECTED
    assert heartbeat_evaluate_shop(shop=shop, now=NOW + timedelta(hours=1)) == []  # once a day at most


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_normal_variation_raises_nothing(shop, seed):
    _history(shop, busy=3.0, seed=seed)
    assert heartbeat_evaluate_shop(shop=shop, now=NOW) == []


def test_a_quiet_shop_raises_nothing_even_when_silent_for_a_day(shop):
    _history(shop, busy=0.1, silent_from=NOW - timedelta(hours=24))
    assert heartbeat_evaluate_shop(shop=shop, now=NOW) == []


def test_meta_orders_that_shopify_never_received_are_an_alert(shop):
    _history(shop, busy=0.1, silent_from=NOW - timedelta(days=3))
    for n in range(2):
        make_social_order(shop=shop, meta_order_id=f"50{n}", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=3 + n))
    [alert] = heartbeat_evaluate_shop(shop=shop, now=datetime.now(UTC))
    assert alert.dedupe_key.startswith("heartbeat_meta_gap:") and "Shopify received none" in alert.payload["detail"]


def test_the_heartbeat_alert_reads_in_the_destinations_language(shop):
    alert = Alert.objects.create(shop=shop, event="heartbeat_drop", dedupe_key="heartbeat_drop:x",
                                 payload={"orders": [], "channel": "Facebook & Instagram", "heartbeat": {"window_hours": 6, "expected": 14.2, "observed": 0}})
    english = alert_message_build(alert=alert, shop_domain=shop.domain, language="en")
    dutch = alert_message_build(alert=alert, shop_domain=shop.domain, language="nl")
    assert english.summary.startswith("0 orders from the channel reached Shopify in the last 6 hours; usually about 14.")
    assert dutch.summary.startswith("In de afgelopen 6 uur kwamen 0 bestellingen van het kanaal in Shopify aan")
