"""When a shop is due a poll, read from state: the dispatcher's claims, a reconnect, the stale watch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState
from orderguard.orders.schedule import poll_interval, pollers_flag_stale, polls_dispatch_due
from orderguard.shops.models import Shop
from tests.orders import builders
from tests.orders.builders import NOW

pytestmark = pytest.mark.django_db

EARLIER = NOW - timedelta(hours=1)


def _connected_shop(domain="fast-shop.myshopify.com", *, connected_at=EARLIER, **connection_fields):
    shop = builders.shop(domain)
    builders.connection(shop, connected_at=connected_at, **connection_fields)
    return shop


def test_a_shop_just_connected_is_claimed_once_at_the_next_dispatch():
    shop = _connected_shop()

    assert polls_dispatch_due(now=NOW) == [shop.pk]
    assert polls_dispatch_due(now=NOW + timedelta(seconds=60)) == []
    state = PollState.objects.get(shop=shop)
    assert (state.next_poll_at, state.dispatched_at, state.last_attempt_at) == (NOW + poll_interval(), NOW, None)


@pytest.mark.parametrize(
    "shop_status, connection_fields",
    [
        (Shop.Status.UNINSTALLED, {}),
        (Shop.Status.NEEDS_REAUTH, {}),
        (Shop.Status.ACTIVE, {"status": MetaConnection.Status.BROKEN}),
        (Shop.Status.ACTIVE, {"status": MetaConnection.Status.DISCONNECTED}),
        (Shop.Status.ACTIVE, {"throttled_until": NOW + timedelta(minutes=3)}),
    ],
)
def test_a_shop_that_cannot_be_polled_is_never_claimed(shop_status, connection_fields):
    shop = _connected_shop(**connection_fields)
    Shop.objects.filter(pk=shop.pk).update(status=shop_status)
    PollState.objects.create(shop=shop, next_poll_at=NOW - timedelta(minutes=1))
    other = _connected_shop("other-shop.myshopify.com", **connection_fields)
    Shop.objects.filter(pk=other.pk).update(status=shop_status)

    assert polls_dispatch_due(now=NOW) == []
    assert not PollState.objects.filter(shop=other).exists()


def test_a_throttle_that_ended_no_longer_holds_the_shop():
    shop = _connected_shop(throttled_until=NOW - timedelta(seconds=1))

    assert polls_dispatch_due(now=NOW) == [shop.pk]


def test_a_shop_whose_next_poll_time_passed_is_claimed_and_moved_on():
    shop = _connected_shop()
    PollState.objects.create(shop=shop, next_poll_at=NOW - timedelta(seconds=5), last_attempt_at=NOW - timedelta(minutes=5))
    later = _connected_shop("later-shop.myshopify.com")
    PollState.objects.create(shop=later, next_poll_at=NOW + timedelta(minutes=2), last_attempt_at=NOW - timedelta(minutes=3))

    assert polls_dispatch_due(now=NOW) == [shop.pk]
    assert PollState.objects.get(shop=shop).next_poll_at == NOW + poll_interval()
    assert polls_dispatch_due(now=NOW) == []


def test_a_reconnect_after_the_last_attempt_makes_the_shop_due_once():
    shop = _connected_shop(connected_at=NOW - timedelta(minutes=1))
    PollState.objects.create(shop=shop, next_poll_at=NOW + timedelta(minutes=4), last_attempt_at=NOW - timedelta(minutes=2),
                             dispatched_at=NOW - timedelta(minutes=2))

    assert polls_dispatch_due(now=NOW) == [shop.pk]
    # Until the poll task runs, the next ticks do not hand the shop out again.
    assert polls_dispatch_due(now=NOW + timedelta(seconds=60)) == []


def test_a_connection_older_than_the_last_attempt_waits_for_its_time():
    shop = _connected_shop(connected_at=NOW - timedelta(minutes=10))
    PollState.objects.create(shop=shop, next_poll_at=NOW + timedelta(minutes=4), last_attempt_at=NOW - timedelta(minutes=2))

    assert polls_dispatch_due(now=NOW) == []
    assert polls_dispatch_due(now=NOW + timedelta(minutes=4)) == [shop.pk]


def test_the_limit_bounds_one_dispatch_and_the_rest_follow():
    shops = [_connected_shop(f"shop-{n}.myshopify.com", connected_at=EARLIER + timedelta(seconds=n)) for n in range(3)]

    first = polls_dispatch_due(now=NOW, limit=2)
    rest = polls_dispatch_due(now=NOW, limit=2)

    assert first == [shops[0].pk, shops[1].pk] and rest == [shops[2].pk]


def test_a_shop_without_a_recent_success_is_flagged_once_and_cleared_when_it_recovers():
    threshold = 3 * poll_interval()
    stale = _connected_shop()
    PollState.objects.create(shop=stale, next_poll_at=NOW, last_success_at=NOW - threshold - timedelta(seconds=1))
    fresh = _connected_shop("fresh-shop.myshopify.com")
    PollState.objects.create(shop=fresh, next_poll_at=NOW, last_success_at=NOW - threshold + timedelta(seconds=1))

    assert pollers_flag_stale(now=NOW) == [stale.domain]
    assert pollers_flag_stale(now=NOW) == []  # already flagged
    assert PollState.objects.get(shop=stale).stale_since == NOW and PollState.objects.get(shop=fresh).stale_since is None

    PollState.objects.filter(shop=stale).update(last_success_at=NOW)
    pollers_flag_stale(now=NOW + timedelta(minutes=1))
    assert PollState.objects.get(shop=stale).stale_since is None


def test_a_shop_that_cannot_be_polled_is_not_called_stale():
    shop = _connected_shop(status=MetaConnection.Status.BROKEN)
    PollState.objects.create(shop=shop, next_poll_at=NOW, last_success_at=NOW - timedelta(days=1))

    assert pollers_flag_stale(now=NOW) == []
