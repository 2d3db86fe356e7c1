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


def facts(state: MetaState, age: timedelta, *, match=None, checked=True, cancelled=False) -> OrderFacts:
    return OrderFacts(meta_state=state, created_at=NOW - age, shopify_match=match, shopify_checked=checked, meta_cancelled=cancelled)


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
    ("cancelled by Meta", facts(MetaState.COMPLETED, 2 * H, cancelled=True), REGISTERED, Status.FINE, Reason.CANCELLED),
    ("cancelled while created", facts(MetaState.CREATED, 5 * H, cancelled=True), REGISTERED, Status.FINE, Reason.CANCELLED),
]


@pytest.mark.parametrize("name, order, channel, status, reason", CASES, ids=[case[0] for case in CASES])
def test_first_sighting_classification(name, order, channel, status, reason):
    verdict = classify(order, channel=channel, previous=None, now=NOW, settings=SETTINGS)
    assert (verdict.status, verdict.reason) == (status, reason)
    assert verdict.needs_action == (status in NEEDS_ACTION)
    if verdict.needs_action:
        assert verdict.stuck_since == NOW
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
        assert verdict.stuck_since == previous.stuck_since  # the clock keeps running from the first time


def test_a_recovered_order_records_how_long_it_was_stuck():
    previous = Previous(Status.MISSING_FROM_SHOPIFY, Reason.NOT_IN_SHOPIFY, stuck_since=NOW - 5 * H)
    verdict = classify(facts(MetaState.IN_PROGRESS, 7 * H, match=MATCH), channel=REGISTERED, previous=previous, now=NOW, settings=SETTINGS)
    assert verdict.status == Status.RESOLVED and verdict.time_to_resolve == 5 * H


def test_a_resolved_order_stays_resolved_with_its_first_resolution_time():
    previous = Previous(Status.RESOLVED, Reason.ACKNOWLEDGED, stuck_since=NOW - 5 * H, resolved_at=NOW - 2 * H)
    verdict = classify(facts(MetaState.COMPLETED, 3 * 24 * H, match=MATCH), channel=REGISTERED, previous=previous, now=NOW, settings=SETTINGS)
    assert (verdict.status, verdict.reason, verdict.resolved_at) == (Status.RESOLVED, Reason.COMPLETED, NOW - 2 * H)


def test_facts_going_backwards_do_not_move_an_order_back():
    previous = Previous(Status.FINE, Reason.ACKNOWLEDGED)
    stale = facts(MetaState.CREATED, 30 * M)  # a stale read: Meta states never go back to CREATED
    verdict = classify(stale, channel=REGISTERED, previous=previous, now=NOW, settings=SETTINGS)
    assert (verdict.status, verdict.reason) == (Status.FINE, Reason.ACKNOWLEDGED)


def test_the_transition_table_covers_every_status_and_done_orders_only_reopen_as_missing():
    assert set(TRANSITIONS) == set(Status) | {None}
    for status in DONE:
        assert TRANSITIONS[status] - DONE == {Status.MISSING_FROM_SHOPIFY}


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
