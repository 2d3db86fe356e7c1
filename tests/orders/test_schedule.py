"""When a shop is due a poll, read from state: the dispatcher's claims, a reconnect, the stale watch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState
from orderguard.orders.polling import poll_shop
from orderguard.orders.schedule import poll_interval, poll_next_due, pollers_flag_stale, polls_claim_batches, polls_dispatch_due
from orderguard.shops.models import Shop
from tests.orders import builders
from tests.orders.builders import NOW

pytestmark = pytest.mark.django_db

EARLIER = NOW - timedelta(hours=1)
# A dispatch's statements: unscheduled shops (select, insert, select again), then one batch of due ones
# (SQLite: BEGIN + select + update; PostgreSQL: select ... for update skip locked + update, BEGIN not seen).
# Schedule the new shops (look, insert), then one batch (lock and read, update), savepoints not counted.
STATEMENTS_PER_DISPATCH = {"sqlite": 4, "postgresql": 4}


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
    # From its due time, not from when the dispatch ran: the shop keeps its phase.
    assert PollState.objects.get(shop=shop).next_poll_at == NOW - timedelta(seconds=5) + poll_interval()
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


def test_batches_are_claimed_until_none_is_due():
    shops = [_connected_shop(f"shop-{n}.myshopify.com", connected_at=EARLIER + timedelta(seconds=n)) for n in range(5)]

    batches = list(polls_claim_batches(now=NOW, batch=2))

    assert sorted(shop_id for batch in batches for shop_id in batch) == sorted(shop.pk for shop in shops)
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert polls_dispatch_due(now=NOW, batch=2) == []


@pytest.mark.parametrize("due_shops", [3, 40])
def test_a_dispatch_runs_the_same_statements_whatever_the_number_of_due_shops(due_shops):
    for n in range(due_shops):
        shop = _connected_shop(f"shop-{n}.myshopify.com")
        PollState.objects.create(shop=shop, next_poll_at=NOW - timedelta(seconds=n), last_attempt_at=EARLIER)
    unscheduled = [_connected_shop(f"new-{n}.myshopify.com") for n in range(due_shops)]

    with CaptureQueriesContext(connection) as queries:
        claimed = polls_dispatch_due(now=NOW)

    assert len(claimed) == 2 * due_shops and {shop.pk for shop in unscheduled} <= set(claimed)
    # schedule the new ones (look, insert, look again), then one batch (lock, update, and the transaction).
    # Savepoints are the test's own transaction nesting atomic() blocks, not work of the dispatch.
    statements = [q["sql"][:80] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == STATEMENTS_PER_DISPATCH[connection.vendor], statements


@pytest.mark.parametrize(
    "due, now, expected",
    [
        (NOW, NOW, NOW + timedelta(minutes=5)),
        (NOW - timedelta(seconds=59), NOW, NOW + timedelta(minutes=4, seconds=1)),  # a late tick does not push the phase
        (NOW - timedelta(minutes=5), NOW, NOW + timedelta(minutes=5)),  # exactly one interval behind
        (NOW - timedelta(minutes=17), NOW, NOW + timedelta(minutes=3)),  # far behind: the missed polls are skipped
        (NOW + timedelta(minutes=2), NOW, NOW + timedelta(minutes=5)),  # made due early (a reconnect): a new phase
    ],
)
def test_the_next_due_time_follows_from_the_due_time(due, now, expected, settings):
    settings.POLL_INTERVAL_MINUTES = 5

    assert poll_next_due(due=due, now=now) == expected


@pytest.mark.parametrize("interval_minutes, tick_seconds", [(1, 10), (1, 60), (5, 60), (5, 45)])
def test_a_shop_is_polled_once_per_interval_whatever_the_tick(interval_minutes, tick_seconds, settings):
    settings.POLL_INTERVAL_MINUTES = interval_minutes
    shop = _connected_shop()
    PollState.objects.create(shop=shop, next_poll_at=NOW + timedelta(seconds=7), last_attempt_at=EARLIER, dispatched_at=EARLIER)
    hour = 3600

    claims = []
    for second in range(0, hour + tick_seconds, tick_seconds):  # one more tick picks up the hour's last due poll
        tick = NOW + timedelta(seconds=second)
        if polls_dispatch_due(now=tick):
            PollState.objects.filter(shop=shop).update(last_attempt_at=tick)  # the poll ran, late or not
            claims.append(tick)

    assert len(claims) == hour // (interval_minutes * 60)
    for number, claimed_at in enumerate(claims):
        due = NOW + timedelta(seconds=7) + number * poll_interval()
        assert timedelta(0) <= claimed_at - due < timedelta(seconds=tick_seconds)


def test_the_stale_watch_runs_once_per_interval(settings):
    from orderguard.celery import app

    entry = app.conf.beat_schedule["flag-stale-pollers"]
    assert entry["schedule"] == timedelta(minutes=settings.POLL_INTERVAL_MINUTES) == poll_interval()
    assert entry["options"]["expires"] <= poll_interval().total_seconds()


def test_the_dispatcher_has_a_queue_of_its_own(settings):
    from orderguard.celery import app
    from orderguard.core.tasks import route_task
    from orderguard.orders import tasks

    assert route_task(tasks.dispatch_due_polls_task.name, (), {}, {}) == {"queue": "dispatch"}
    assert route_task(tasks.poll_shop_task.name, (), {}, {}) == {"queue": "polling"}
    assert app.conf.beat_schedule["dispatch-due-polls"]["options"]["expires"] >= settings.POLL_DISPATCH_SECONDS


def test_a_shop_with_no_success_for_three_intervals_is_flagged_within_one_more(settings):
    settings.POLL_INTERVAL_MINUTES = 5
    shop = _connected_shop()
    PollState.objects.create(shop=shop, next_poll_at=NOW, last_success_at=NOW)

    # The watch's runs, one interval apart from an arbitrary phase: the first one past 3 intervals flags it.
    runs = [NOW + timedelta(minutes=2, seconds=13) + n * poll_interval() for n in range(5)]
    flagged_at = next(run for run in runs if pollers_flag_stale(now=run))

    assert 3 * poll_interval() < flagged_at - NOW <= 4 * poll_interval()


@pytest.mark.parametrize(
    "setup, reason",
    [
        ("held", "another poll of this shop is running"),
        ("uninstalled", "has not installed"),
        ("broken", "needs reconnecting"),
    ],
)
def test_every_skipped_poll_is_recorded(setup, reason):
    shop = _connected_shop(status=MetaConnection.Status.BROKEN if setup == "broken" else MetaConnection.Status.CONNECTED)
    if setup == "uninstalled":
        Shop.objects.filter(pk=shop.pk).update(status=Shop.Status.UNINSTALLED)
        shop.refresh_from_db()
    lease = {"lease_owner": "a-live-poll", "lease_expires_at": timezone.now() + timedelta(seconds=30)} if setup == "held" else {}
    PollState.objects.create(shop=shop, next_poll_at=NOW, **lease)

    first, second = poll_shop(shop=shop), poll_shop(shop=shop)

    state = PollState.objects.get(shop=shop)
    assert first.outcome == second.outcome == "skipped" and reason in first.message
    assert state.skipped_polls == 2 and reason in state.last_skip_reason and state.last_skipped_at is not None
    # A live poll's lease is left alone; a skip that took the lease gives it back.
    assert (state.lease_owner, state.lease_expires_at is not None) == (("a-live-poll", True) if setup == "held" else ("", False))


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
