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


def _history(shop, *, busy: float, silent_from: datetime | None = None, seed: int = 7, channel: str | None = None,
             known_from: datetime | None = None) -> None:
    """Channel orders over the last five weeks; with `channel`, each says it (from `known_from` on, when
    given: rows stored before the channel was read are null)."""
    rng = random.Random(seed)
    moment = NOW.replace(minute=0) - HISTORY
    rows = []
    first = ShopifySocialOrder.objects.count()
    while moment < NOW:
        if silent_from is None or moment < silent_from:
            local = moment + timedelta(hours=1)  # Europe/Amsterdam in winter
            for _ in range(_poisson(rng, _rate(local, busy))):
                created = moment + timedelta(minutes=rng.randrange(60))
                said = channel if known_from is None or created >= known_from else None
                rows.append(ShopifySocialOrder(shop=shop, shopify_order_id=f"gid://shopify/Order/{first + len(rows)}", shopify_created_at=created,
                                               social_channel=said))
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


# A heartbeat per social channel (issue 13, item 5): Facebook and Instagram are watched apart.


def test_only_instagram_stopping_is_reported_for_instagram_and_not_for_facebook(shop):
    silent_from = NOW.replace(minute=0) - timedelta(hours=8)
    _history(shop, busy=3.0, channel="facebook", seed=5)
    _history(shop, busy=2.5, channel="instagram", silent_from=silent_from, seed=6)

    [alert] = heartbeat_evaluate_shop(shop=shop, now=NOW)

    assert alert.dedupe_key.startswith("heartbeat_drop:instagram:")
    assert alert.payload["channel"] == "Instagram" and alert.payload["heartbeat"]["channel"] == "instagram"
    assert alert.payload["heartbeat"]["observed"] == 0 and alert.payload["detail"].startswith("Instagram: ")
    # Facebook kept arriving: no Facebook alert, and the combined watch does not repeat Instagram's.
    assert not Alert.objects.filter(dedupe_key__contains=":facebook:").exists()
    assert not Alert.objects.filter(dedupe_key__contains=":all:").exists()
    assert heartbeat_evaluate_shop(shop=shop, now=NOW + timedelta(hours=1)) == []  # once a day at most


def test_facebook_stopping_is_reported_for_facebook_while_instagram_still_arrives(shop):
    _history(shop, busy=3.0, channel="facebook", silent_from=NOW.replace(minute=0) - timedelta(hours=8), seed=8)
    _history(shop, busy=2.5, channel="instagram", seed=9)

    [alert] = heartbeat_evaluate_shop(shop=shop, now=NOW)

    assert alert.dedupe_key.startswith("heartbeat_drop:facebook:") and alert.payload["channel"] == "Facebook"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_normal_variation_raises_nothing_per_channel(shop, seed):
    _history(shop, busy=3.0, channel="facebook", seed=seed)
    _history(shop, busy=2.0, channel="instagram", seed=seed + 10)
    assert heartbeat_evaluate_shop(shop=shop, now=NOW) == []


def test_a_quiet_channel_raises_nothing_even_when_silent_for_a_day(shop):
    _history(shop, busy=3.0, channel="facebook", seed=4)
    _history(shop, busy=0.1, channel="instagram", silent_from=NOW - timedelta(hours=24), seed=14)
    assert heartbeat_evaluate_shop(shop=shop, now=NOW) == []


def test_history_from_before_the_channel_was_read_neither_alarms_nor_hides_a_stop(shop):
    """Rows stored before the field existed are null: the channel watches learn only from the first known
    channel on (still learning here), and the combined watch, which counts every order, still works."""
    known_from = NOW - timedelta(days=6)
    _history(shop, busy=3.0, channel="facebook", known_from=known_from, seed=21)
    _history(shop, busy=2.0, channel="instagram", known_from=known_from, seed=22)
    assert heartbeat_evaluate_shop(shop=shop, now=NOW) == []

    ShopifySocialOrder.objects.filter(shopify_created_at__gte=NOW.replace(minute=0) - timedelta(hours=6)).delete()
    [alert] = heartbeat_evaluate_shop(shop=shop, now=NOW)
    assert alert.dedupe_key.startswith("heartbeat_drop:all:") and alert.payload["channel"] == "Facebook & Instagram"


def test_orders_whose_channel_is_unknown_are_watched_together(shop):
    silent_from = NOW.replace(minute=0) - timedelta(hours=6)
    _history(shop, busy=3.0, silent_from=silent_from)  # a website-checkout shop: no order says its channel
    [alert] = heartbeat_evaluate_shop(shop=shop, now=NOW)
    assert alert.dedupe_key.startswith("heartbeat_drop:all:")


def test_meta_showing_instagram_orders_that_shopify_never_received_names_instagram(shop):
    now = datetime.now(UTC)
    ShopifySocialOrder.objects.bulk_create(
        ShopifySocialOrder(shop=shop, shopify_order_id=f"gid://shopify/Order/{n}", shopify_created_at=now - timedelta(minutes=30 * n), social_channel="facebook")
        for n in range(1, 6)
    )
    for n in range(2):
        make_social_order(shop=shop, meta_order_id=f"60{n}", status="missing_from_shopify", reason="not_in_shopify",
                          age=timedelta(hours=3 + n), channel="instagram")
    make_social_order(shop=shop, meta_order_id="700", status="fine", reason="acknowledged", age=timedelta(hours=3), channel="facebook")

    [alert] = heartbeat_evaluate_shop(shop=shop, now=now)

    assert alert.dedupe_key.startswith("heartbeat_meta_gap:instagram:")
    assert alert.payload["channel"] == "Instagram" and alert.payload["heartbeat"] == {"meta_orders": 2, "channel": "instagram"}


def test_a_shopify_order_that_does_not_say_its_channel_may_be_the_missing_one(shop):
    now = datetime.now(UTC)
    ShopifySocialOrder.objects.create(shop=shop, shopify_order_id="gid://shopify/Order/1", shopify_created_at=now - timedelta(minutes=20), social_channel="facebook")
    ShopifySocialOrder.objects.create(shop=shop, shopify_order_id="gid://shopify/Order/2", shopify_created_at=now - timedelta(minutes=10))
    for n in range(2):
        make_social_order(shop=shop, meta_order_id=f"61{n}", status="fine", reason="acknowledged", age=timedelta(hours=3 + n), channel="instagram")
    assert heartbeat_evaluate_shop(shop=shop, now=now) == []


def test_a_channel_alert_names_the_channel_in_both_languages(shop):
    drop = Alert.objects.create(shop=shop, event="heartbeat_drop", dedupe_key="heartbeat_drop:instagram:x",
                                payload={"orders": [], "channel": "Instagram", "heartbeat": {"window_hours": 6, "expected": 14.2, "observed": 0, "channel": "instagram"}})
    gap = Alert.objects.create(shop=shop, event="heartbeat_drop", dedupe_key="heartbeat_meta_gap:instagram:x",
                               payload={"orders": [], "channel": "Instagram", "heartbeat": {"meta_orders": 3, "channel": "instagram"}})
    english = alert_message_build(alert=drop, shop_domain=shop.domain, language="en")
    dutch = alert_message_build(alert=drop, shop_domain=shop.domain, language="nl")
    assert english.title == "Instagram orders stopped arriving in your shop"
    assert english.summary.startswith("0 Instagram orders reached Shopify in the last 6 hours; usually about 14.")
    assert dutch.title == "Er komen geen Instagram-bestellingen meer in je winkel aan"
    assert dutch.summary.startswith("In de afgelopen 6 uur kwamen 0 Instagram-bestellingen in Shopify aan")
    english_gap = alert_message_build(alert=gap, shop_domain=shop.domain, language="en")
    dutch_gap = alert_message_build(alert=gap, shop_domain=shop.domain, language="nl")
    assert english_gap.summary == "Meta shows 3 new Instagram orders, but Shopify received none from Instagram since the first of them."
    assert dutch_gap.summary.startswith("Meta toont 3 nieuwe Instagram-bestellingen, maar Shopify ontving er sinds de eerste geen van Instagram")
