"""The detection engine, table-driven, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderguard.reconciliation.engine import (
    DONE,
    NEEDS_ACTION,
    TRANSITIONS,
    ChannelFacts,
    DetectionSettings,
    MetaState,
    OrderFacts,
    Previous,
    Reason,
    ShopifyMatch,
    Status,
    classify,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SETTINGS = DetectionSettings(grace=timedelta(minutes=60), processing_limit=timedelta(hours=24))
REGISTERED = ChannelFacts(order_management_app_registered=True)
NO_APP = ChannelFacts(order_management_app_registered=False)
UNKNOWN_APP = ChannelFacts(order_management_app_registered=None)
MATCH = ShopifyMatch(shopify_order_id="gid://shopify/Order/1", name="#1001", matched_field="source_identifier")

H = timedelta(hours=1)
M = timedelta(minutes=1)


def facts(state: str, age: timedelta, *, match=None, checked=True, cancelled=False, updated_ago: timedelta | None = None) -> OrderFacts:
    return OrderFacts(meta_state=state, created_at=NOW - age, shopify_match=match, shopify_checked=checked, meta_cancelled=cancelled,
                      updated_at=NOW - updated_ago if updated_ago is not None else None)


D = timedelta(days=1)


# (case, facts, channel, expected status, expected reason)
CASES = [
    ("new order in Meta's review", facts(MetaState.FB_PROCESSING, 10 * M), REGISTERED, Status.PROCESSING, Reason.META_REVIEWING),
    ("review at exactly 24 h is not stuck yet", facts(MetaState.FB_PROCESSING, 24 * H), REGISTERED, Status.PROCESSING, Reason.META_REVIEWING),
    ("review past 24 h", facts(MetaState.FB_PROCESSING, 24 * H + M), REGISTERED, Status.STUCK_PROCESSING, Reason.REVIEW_OVER_24H),
    ("created within grace", facts(MetaState.CREATED, 20 * M), REGISTERED, Status.PROCESSING, Reason.WITHIN_GRACE),
    ("created at exactly the grace boundary", facts(MetaState.CREATED, 60 * M), REGISTERED, Status.PROCESSING, Reason.WITHIN_GRACE),
    ("created one minute past grace, not in Shopify", facts(MetaState.CREATED, 61 * M), REGISTERED, Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY),
    ("created past grace, Shopify has it", facts(MetaState.CREATED, 3 * H, match=MATCH), REGISTERED, Status.IMPORTED_NOT_ACKNOWLEDGED, Reason.IMPORTED_NOT_ACKNOWLEDGED),
    ("created past grace, Shopify not checked", facts(MetaState.CREATED, 3 * H, checked=False), REGISTERED, Status.AWAITING_ACKNOWLEDGEMENT, Reason.NOT_ACKNOWLEDGED),
    ("created past grace, no order management app", facts(MetaState.CREATED, 3 * H), NO_APP, Status.AWAITING_ACKNOWLEDGEMENT, Reason.NO_ORDER_MANAGEMENT_APP),
    ("created past grace, app unknown, not in Shopify", facts(MetaState.CREATED, 3 * H), UNKNOWN_APP, Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY),
    ("acknowledged and imported", facts(MetaState.IN_PROGRESS, 3 * H, match=MATCH), REGISTERED, Status.FINE, Reason.ACKNOWLEDGED),
    ("acknowledged but not in Shopify", facts(MetaState.IN_PROGRESS, 3 * H), REGISTERED, Status.MISSING_FROM_SHOPIFY, Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY),
    ("acknowledged, not in Shopify, Shopify not checked", facts(MetaState.IN_PROGRESS, 3 * H, checked=False), REGISTERED, Status.FINE, Reason.ACKNOWLEDGED),
    ("acknowledged by hand without an app", facts(MetaState.IN_PROGRESS, 3 * H), NO_APP, Status.FINE, Reason.ACKNOWLEDGED),
    ("acknowledged moments ago, import still running", facts(MetaState.IN_PROGRESS, 30 * M), REGISTERED, Status.FINE, Reason.ACKNOWLEDGED),
    ("completed and imported", facts(MetaState.COMPLETED, 5 * 24 * H, match=MATCH), REGISTERED, Status.FINE, Reason.COMPLETED),
    # Issue 11, item 8: a cancelled order is closed, not a green "fine".
    ("cancelled by Meta", facts(MetaState.COMPLETED, 2 * H, cancelled=True), REGISTERED, Status.CANCELLED, Reason.CANCELLED),
    ("cancelled while created", facts(MetaState.CREATED, 5 * H, cancelled=True), REGISTERED, Status.CANCELLED, Reason.CANCELLED),
    # Issue 11, item 4: shipped (or cancelled item by item) on Meta without Shopify: nothing to do.
    ("completed, Shopify never had it", facts(MetaState.COMPLETED, 5 * D), REGISTERED, Status.FINE, Reason.SHIPPED_OUTSIDE_SHOPIFY),
    ("completed, Shopify not checked", facts(MetaState.COMPLETED, 5 * D, checked=False), REGISTERED, Status.FINE, Reason.COMPLETED),
    ("completed without an app, Shopify never had it", facts(MetaState.COMPLETED, 5 * D), NO_APP, Status.FINE, Reason.COMPLETED),
    # Issue 11, item 5: accepted, not shipped, and Meta's auto-cancel (30 days) comes near.
    ("accepted, 8 days left", facts(MetaState.IN_PROGRESS, 22 * D, match=MATCH), REGISTERED, Status.FINE, Reason.ACKNOWLEDGED),
    ("accepted, 7 days left", facts(MetaState.IN_PROGRESS, 23 * D, match=MATCH), REGISTERED, Status.NEARING_AUTO_CANCEL, Reason.AUTO_CANCEL_SOON),
    ("accepted, 2 days left", facts(MetaState.IN_PROGRESS, 28 * D, match=MATCH), REGISTERED, Status.NEARING_AUTO_CANCEL, Reason.AUTO_CANCEL_SOON),
    ("accepted, 1 day left", facts(MetaState.IN_PROGRESS, 29 * D, match=MATCH), REGISTERED, Status.NEARING_AUTO_CANCEL, Reason.AUTO_CANCEL_IMMINENT),
    ("accepted by hand without an app, 3 days left", facts(MetaState.IN_PROGRESS, 27 * D), NO_APP, Status.NEARING_AUTO_CANCEL, Reason.AUTO_CANCEL_SOON),
    ("accepted, 3 days left, not in Shopify", facts(MetaState.IN_PROGRESS, 27 * D), REGISTERED, Status.MISSING_FROM_SHOPIFY, Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY),
    ("completed on day 29", facts(MetaState.COMPLETED, 29 * D, match=MATCH), REGISTERED, Status.FINE, Reason.COMPLETED),
    # Issue 11, item 1: a state OrderGuard does not know is never guessed.
    ("an unknown state", facts("ON_HOLD", 3 * H), REGISTERED, Status.UNKNOWN_META_STATE, Reason.UNKNOWN_META_STATE),
    ("an unknown state of 40 characters", facts("X" * 40, 3 * H, match=MATCH), REGISTERED, Status.UNKNOWN_META_STATE, Reason.UNKNOWN_META_STATE),
    ("an unknown state, moments old", facts("ON_HOLD", 5 * M), REGISTERED, Status.UNKNOWN_META_STATE, Reason.UNKNOWN_META_STATE),
    ("an empty state", facts("", 3 * H), REGISTERED, Status.UNKNOWN_META_STATE, Reason.UNKNOWN_META_STATE),
    ("an unknown state, cancelled", facts("ON_HOLD", 3 * H, cancelled=True), REGISTERED, Status.CANCELLED, Reason.CANCELLED),
]


@pytest.mark.parametrize("name, order, channel, status, reason", CASES, ids=[case[0] for case in CASES])
def test_first_sighting_classification(name, order, channel, status, reason):
    verdict = classify(order, channel=channel, previous=None, now=NOW, settings=SETTINGS)
    assert (verdict.status, verdict.reason) == (status, reason)
    assert verdict.needs_action == (status in NEEDS_ACTION)
    if verdict.needs_action:
        assert verdict.stuck_since is not None and verdict.stuck_since <= NOW
    else:
        assert verdict.stuck_since is None


def test_every_status_is_reachable_from_the_table():
    reached = {case[3] for case in CASES} | {Status.RESOLVED}
    assert reached == set(Status)


# (case, previous, facts, expected status, expect resolved_at == NOW)
RECOVERY = [
    ("missing order gets acknowledged", Previous(Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY, NOW - 5 * H), facts(MetaState.IN_PROGRESS, 8 * H, match=MATCH), Status.RESOLVED, True),
    ("stuck review ends in a cancellation", Previous(Status.STUCK_PROCESSING, Reason.REVIEW_OVER_24H, NOW - 2 * H), facts(MetaState.COMPLETED, 27 * H, cancelled=True), Status.RESOLVED, True),
    ("imported order finally acknowledged", Previous(Status.IMPORTED_NOT_ACKNOWLEDGED, Reason.IMPORTED_NOT_ACKNOWLEDGED, NOW - H), facts(MetaState.IN_PROGRESS, 4 * H, match=MATCH), Status.RESOLVED, True),
    ("normal order acknowledged in time", Previous(Status.PROCESSING, Reason.WITHIN_GRACE), facts(MetaState.IN_PROGRESS, 40 * M, match=MATCH), Status.FINE, False),
    ("stuck review clears into a still-unacknowledged order", Previous(Status.STUCK_PROCESSING, Reason.REVIEW_OVER_24H, NOW - 3 * H), facts(MetaState.CREATED, 28 * H), Status.MISSING_FROM_SHOPIFY, False),
    ("awaiting order found missing once Shopify is checked", Previous(Status.AWAITING_ACKNOWLEDGEMENT, Reason.NOT_ACKNOWLEDGED, NOW - H), facts(MetaState.CREATED, 3 * H), Status.MISSING_FROM_SHOPIFY, False),
    ("a fine order whose Shopify order vanished", Previous(Status.FINE, Reason.ACKNOWLEDGED), facts(MetaState.IN_PROGRESS, 3 * H), Status.MISSING_FROM_SHOPIFY, False),
]


@pytest.mark.parametrize("name, previous, order, status, resolved_now", RECOVERY, ids=[case[0] for case in RECOVERY])
def test_transitions_between_polls(name, previous, order, status, resolved_now):
    verdict = classify(order, channel=REGISTERED, previous=previous, now=NOW, settings=SETTINGS)
    assert verdict.status == status
    assert (verdict.resolved_at == NOW) is resolved_now
    if previous.stuck_since and status in NEEDS_ACTION | {Status.RESOLVED}:
        # The clock keeps running from the first time (or from earlier, when the facts say so).
        assert verdict.stuck_since <= previous.stuck_since


def test_a_recovered_order_records_how_long_it_was_stuck():
    previous = Previous(Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY, stuck_since=NOW - 5 * H)
    verdict = classify(facts(MetaState.IN_PROGRESS, 7 * H, match=MATCH), channel=REGISTERED, previous=previous, now=NOW, settings=SETTINGS)
    # Placed 7 h ago, it needed action from the end of the grace period (6 h ago), not from the first look.
    assert verdict.status == Status.RESOLVED and verdict.time_to_resolve == 6 * H


def test_a_resolved_order_stays_resolved_with_its_first_resolution_time():
    previous = Previous(Status.RESOLVED, Reason.ACKNOWLEDGED, stuck_since=NOW - 5 * H, resolved_at=NOW - 2 * H)
    verdict = classify(facts(MetaState.COMPLETED, 3 * 24 * H, match=MATCH), channel=REGISTERED, previous=previous, now=NOW, settings=SETTINGS)
    assert (verdict.status, verdict.reason, verdict.resolved_at) == (Status.RESOLVED, Reason.COMPLETED, NOW - 2 * H)


def test_facts_going_backwards_do_not_move_an_order_back():
    previous = Previous(Status.FINE, Reason.ACKNOWLEDGED)
    stale = facts(MetaState.CREATED, 30 * M)  # a stale read: Meta states never go back to CREATED
    verdict = classify(stale, channel=REGISTERED, previous=previous, now=NOW, settings=SETTINGS)
    assert (verdict.status, verdict.reason) == (Status.FINE, Reason.ACKNOWLEDGED)


def test_the_transition_table_covers_every_status_and_done_orders_only_reopen_for_a_reason():
    assert set(TRANSITIONS) == set(Status) | {None}
    for status in DONE - {Status.CANCELLED}:
        assert TRANSITIONS[status] - DONE == {Status.MISSING_FROM_SHOPIFY, Status.NEARING_AUTO_CANCEL, Status.UNKNOWN_META_STATE}
    assert TRANSITIONS[Status.CANCELLED] == {Status.CANCELLED}  # a cancellation is final


@pytest.mark.parametrize(
    "order, deadline",
    [
        (facts(MetaState.CREATED, 3 * H), NOW - 3 * H + timedelta(days=30)),
        (facts(MetaState.IN_PROGRESS, 3 * H, match=MATCH), NOW - 3 * H + timedelta(days=30)),
        (facts(MetaState.COMPLETED, 3 * H, match=MATCH), None),
        (facts(MetaState.CREATED, 3 * H, cancelled=True), None),
    ],
)
def test_deadline_is_thirty_days_after_the_order_unless_it_is_done(order, deadline):
    assert classify(order, channel=REGISTERED, previous=None, now=NOW, settings=SETTINGS).deadline_at == deadline


def test_the_grace_period_is_a_setting():
    order = facts(MetaState.CREATED, 45 * M)
    short = DetectionSettings(grace=timedelta(minutes=30))
    assert classify(order, channel=REGISTERED, previous=None, now=NOW, settings=short).status == Status.MISSING_FROM_SHOPIFY
    assert classify(order, channel=REGISTERED, previous=None, now=NOW, settings=SETTINGS).status == Status.PROCESSING


# Issue 11, item 6: "needs action since" comes from the facts, not from when OrderGuard first looked.
# (case, facts, channel, needs action since: how long before NOW)
SINCE = [
    ("created, not in Shopify: since created + grace", facts(MetaState.CREATED, 5 * H), REGISTERED, 4 * H),
    ("created, awaiting: since created + grace", facts(MetaState.CREATED, 5 * H, checked=False), REGISTERED, 4 * H),
    ("created 29 days ago, seen first today", facts(MetaState.CREATED, 29 * D), REGISTERED, 29 * D - H),
    ("in review too long: since created + 24 h", facts(MetaState.FB_PROCESSING, 30 * H), REGISTERED, 6 * H),
    ("accepted, not in Shopify: since created + grace", facts(MetaState.IN_PROGRESS, 3 * D), REGISTERED, 3 * D - H),
    ("accepted, 3 days left: since the warning began", facts(MetaState.IN_PROGRESS, 27 * D, match=MATCH), REGISTERED, 4 * D),
    ("an unknown state: since Meta last changed it", facts("ON_HOLD", 3 * D, updated_ago=2 * H), REGISTERED, 2 * H),
    ("an unknown state, no update time: since now", facts("ON_HOLD", 3 * D), REGISTERED, timedelta(0)),
]


@pytest.mark.parametrize("name, order, channel, ago", SINCE, ids=[case[0] for case in SINCE])
def test_needs_action_since_comes_from_the_facts(name, order, channel, ago):
    verdict = classify(order, channel=channel, previous=None, now=NOW, settings=SETTINGS)
    assert verdict.needs_action and verdict.stuck_since == NOW - ago


# (case, previous, facts, resolved after)
RESOLVED_AFTER = [
    ("stuck 29 days before the install, shipped 16 minutes after the first look",
     Previous(Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY, stuck_since=NOW - 16 * M),
     facts(MetaState.COMPLETED, 29 * D + H, match=MATCH, updated_ago=timedelta(0)), 29 * D),
    ("accepted on Meta an hour before the poll saw it",
     Previous(Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY, stuck_since=NOW - 5 * H),
     facts(MetaState.IN_PROGRESS, 6 * H, match=MATCH, updated_ago=H), 4 * H),
    ("imported into Shopify since the last look (Meta unchanged since before): resolved now",
     Previous(Status.MISSING_FROM_SHOPIFY, Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY, stuck_since=NOW - 5 * H),
     facts(MetaState.IN_PROGRESS, 6 * H, match=MATCH, updated_ago=6 * H), 5 * H),
    ("shipped on the last day of the warning",
     Previous(Status.NEARING_AUTO_CANCEL, Reason.AUTO_CANCEL_SOON, stuck_since=NOW - 6 * D),
     facts(MetaState.COMPLETED, 29 * D, match=MATCH, updated_ago=2 * H), 6 * D - 2 * H),
]


@pytest.mark.parametrize("name, previous, order, after", RESOLVED_AFTER, ids=[case[0] for case in RESOLVED_AFTER])
def test_resolved_after_comes_from_the_facts(name, previous, order, after):
    verdict = classify(order, channel=REGISTERED, previous=previous, now=NOW, settings=SETTINGS)
    assert verdict.status == Status.RESOLVED and verdict.time_to_resolve == after


@pytest.mark.parametrize(
    "previous, order, status, reason",
    [
        # Issue 11, item 8: only an order that needed action and recovered is "resolved".
        (Previous(Status.PROCESSING, Reason.WITHIN_GRACE), facts(MetaState.CREATED, 2 * H, cancelled=True), Status.CANCELLED, Reason.CANCELLED),
        (Previous(Status.FINE, Reason.ACKNOWLEDGED), facts(MetaState.IN_PROGRESS, 3 * D, match=MATCH, cancelled=True), Status.CANCELLED, Reason.CANCELLED),
        (Previous(Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY, NOW - 5 * H), facts(MetaState.CREATED, 6 * H, cancelled=True), Status.RESOLVED, Reason.CANCELLED),
        (Previous(Status.CANCELLED, Reason.CANCELLED), facts(MetaState.IN_PROGRESS, 3 * D), Status.CANCELLED, Reason.CANCELLED),
        # Item 4: a missing accepted order that Meta then shows completed needed action and recovered.
        (Previous(Status.MISSING_FROM_SHOPIFY, Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY, NOW - 5 * D), facts(MetaState.COMPLETED, 6 * D), Status.RESOLVED, Reason.SHIPPED_OUTSIDE_SHOPIFY),
        # Item 5: a fine accepted order reaches the warning; a resolved one too.
        (Previous(Status.FINE, Reason.ACKNOWLEDGED), facts(MetaState.IN_PROGRESS, 24 * D, match=MATCH), Status.NEARING_AUTO_CANCEL, Reason.AUTO_CANCEL_SOON),
        (Previous(Status.RESOLVED, Reason.ACKNOWLEDGED, NOW - 20 * D, NOW - 19 * D), facts(MetaState.IN_PROGRESS, 29 * D + H, match=MATCH), Status.NEARING_AUTO_CANCEL, Reason.AUTO_CANCEL_IMMINENT),
        # Item 1: an unknown state after a known one, and a known one after it.
        (Previous(Status.FINE, Reason.ACKNOWLEDGED), facts("ON_HOLD", 3 * D, match=MATCH), Status.UNKNOWN_META_STATE, Reason.UNKNOWN_META_STATE),
        (Previous(Status.UNKNOWN_META_STATE, Reason.UNKNOWN_META_STATE, NOW - D), facts(MetaState.IN_PROGRESS, 3 * D, match=MATCH), Status.RESOLVED, Reason.ACKNOWLEDGED),
        (Previous(Status.UNKNOWN_META_STATE, Reason.UNKNOWN_META_STATE, NOW - D), facts(MetaState.CREATED, 3 * D), Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY),
    ],
)
def test_closing_reopening_and_unknown_states_between_polls(previous, order, status, reason):
    verdict = classify(order, channel=REGISTERED, previous=previous, now=NOW, settings=SETTINGS)
    assert (verdict.status, verdict.reason) == (status, reason)


def test_the_auto_cancel_warnings_are_settings():
    order = facts(MetaState.IN_PROGRESS, 20 * D, match=MATCH)
    early = DetectionSettings(auto_cancel_warning=timedelta(days=14), auto_cancel_imminent=timedelta(days=10))
    assert classify(order, channel=REGISTERED, previous=None, now=NOW, settings=early).reason == Reason.AUTO_CANCEL_IMMINENT
    assert classify(order, channel=REGISTERED, previous=None, now=NOW, settings=SETTINGS).reason == Reason.ACKNOWLEDGED


# Issue 11, item 11: a verdict says until when it holds, so an unchanged poll reclassifies only the orders
# whose time has come. For every case of the table, and the same case met again with its own verdict as
# the previous one: the verdict is the same at every moment up to its recheck time, and (where the table's
# case is next to a deadline) changes just after it.
def _again(order, verdict, *, channel, at):
    previous = Previous(verdict.status, verdict.reason, verdict.stuck_since, verdict.resolved_at)
    return classify(order, channel=channel, previous=previous, now=at, settings=SETTINGS)


def _held(verdict):
    return verdict.status, verdict.reason, verdict.deadline_at, verdict.stuck_since, verdict.resolved_at


@pytest.mark.parametrize("name, order, channel, status, reason", CASES, ids=[case[0] for case in CASES])
def test_a_verdict_holds_until_its_recheck_time(name, order, channel, status, reason):
    settled = _again(order, classify(order, channel=channel, previous=None, now=NOW, settings=SETTINGS), channel=channel, at=NOW)
    if settled.recheck_at is None:
        later = [NOW + step for step in (M, H, D, 40 * D, 400 * D)]
    else:
        assert settled.recheck_at >= NOW
        span = settled.recheck_at - NOW
        later = [NOW + span * share for share in (0.25, 0.5, 0.99)] + [settled.recheck_at]
    for at in later:
        assert _held(_again(order, settled, channel=channel, at=at)) == _held(settled), at


# (case, facts, the recheck time, the status just after it)
DEADLINES = [
    ("review ends at 24 h", facts(MetaState.FB_PROCESSING, 10 * M), NOW - 10 * M + 24 * H, Status.STUCK_PROCESSING),
    ("grace ends", facts(MetaState.CREATED, 20 * M), NOW + 40 * M, Status.MISSING_FROM_SHOPIFY),
    ("accepted, not in Shopify after the grace", facts(MetaState.IN_PROGRESS, 30 * M), NOW + 30 * M, Status.MISSING_FROM_SHOPIFY),
    ("7 days before the auto-cancel", facts(MetaState.IN_PROGRESS, 22 * D, match=MATCH), NOW + D - timedelta(microseconds=1), Status.NEARING_AUTO_CANCEL),
]


@pytest.mark.parametrize("name, order, recheck_at, after", DEADLINES, ids=[case[0] for case in DEADLINES])
def test_the_recheck_time_is_the_deadline_and_the_verdict_changes_right_after(name, order, recheck_at, after):
    verdict = classify(order, channel=REGISTERED, previous=None, now=NOW, settings=SETTINGS)
    assert verdict.recheck_at == recheck_at
    assert _again(order, verdict, channel=REGISTERED, at=recheck_at).status == verdict.status
    assert _again(order, verdict, channel=REGISTERED, at=recheck_at + timedelta(microseconds=1)).status == after


def test_the_auto_cancel_warnings_come_from_the_settings():
    order = facts(MetaState.IN_PROGRESS, 10 * D, match=MATCH)
    two_weeks = DetectionSettings(grace=SETTINGS.grace, auto_cancel_warning=timedelta(days=14))
    assert classify(order, channel=REGISTERED, previous=None, now=NOW, settings=two_weeks).recheck_at == (
        order.created_at + timedelta(days=16) - timedelta(microseconds=1))
    settled = classify(facts(MetaState.IN_PROGRESS, 29 * D + H, match=MATCH), channel=REGISTERED, previous=None, now=NOW, settings=SETTINGS)
    assert settled.recheck_at is None  # past the last warning: only new facts change it
