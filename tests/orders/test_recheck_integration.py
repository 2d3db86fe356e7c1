"""Issue 11, item 11: a poll that learns nothing new reclassifies only the orders whose recheck time has
passed, and still turns an order stuck the moment its grace period ends. Through the sandbox's Meta and
Shopify over HTTP (live server)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orderguard.orders.models import PollState, SocialOrder
from orderguard.orders.polling import poll_shop
from orderguard.shops.models import Shop
from orderguard.shops.preferences import shop_preferences_update

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

WITHIN_GRACE = "2904417823351205"  # broken-channel: CREATED 18 minutes ago, not in Shopify


def _loaded(shop):
    return Shop.objects.select_related("preferences").get(pk=shop.pk)  # as poll_shop_task loads it


def _poll(shop):
    return poll_shop(shop=_loaded(shop), full=False)


def _order():
    return SocialOrder.objects.get(meta_order_id=WITHIN_GRACE)


def _set_grace(shop, minutes):
    shop_preferences_update(shop=shop, grace_minutes=minutes, auto_cancel_warning_days=7, buyer_email_language="auto")


def test_an_order_is_reclassified_exactly_when_its_recheck_time_passes(installed_shop):
    shop = installed_shop.shop
    _set_grace(shop, 30)  # its grace ends in 12 minutes: after the poll's 10-minute overlap with Meta
    start = timezone.now()
    assert poll_shop(shop=shop).outcome == "ok"
    order = _order()
    assert (order.status, order.reason) == ("processing", "within_grace")
    assert order.recheck_at == order.meta_created_at + timedelta(minutes=30)

    with time_machine.travel(order.recheck_at - timedelta(seconds=30), tick=False):
        loaded = _loaded(shop)
        with CaptureQueriesContext(connection) as queries:
            before = poll_shop(shop=loaded, full=False)
    assert before.outcome == "ok" and before.new_or_changed == 0 and before.shopify_calls == 0
    assert before.reclassified == 0 and _order().status == "processing"
    # Meta may send back an unchanged order (the poll asks with an overlap): then ingest reads it, one more.
    assert len(queries) == 4 + bool(before.orders_received), [q["sql"] for q in queries]

    with time_machine.travel(order.recheck_at + timedelta(seconds=30), tick=False):
        after = _poll(shop)
    assert after.outcome == "ok" and after.new_or_changed == 0 and after.shopify_calls == 0, after
    assert after.reclassified == 1
    stuck = _order()
    assert (stuck.status, stuck.reason) == ("missing_from_shopify", "not_in_shopify")
    assert stuck.stuck_since == stuck.meta_created_at + timedelta(minutes=30)
    assert stuck.recheck_at is None or stuck.recheck_at > start
    # The counts of the report follow the order that changed, without reading the others.
    assert after.needs_action == before.needs_action + 1
    assert after.statuses["missing_from_shopify"] == before.statuses["missing_from_shopify"] + 1


def test_an_unchanged_poll_with_nothing_due_reclassifies_nothing_and_keeps_the_counts(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    first = PollState.objects.get(shop=shop).last_report

    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):  # past the overlap with Meta
        loaded = _loaded(shop)
        with CaptureQueriesContext(connection) as queries:
            report = poll_shop(shop=loaded, full=False)

    assert report.outcome == "ok" and (report.meta_calls, report.shopify_calls) == (1, 0)
    assert report.new_or_changed == 0 and report.reclassified == 0
    assert (report.needs_action, report.statuses) == (first["needs_action"], first["statuses"])
    assert len(queries) == 4 + bool(report.orders_received), "\n".join(q["sql"][:150] for q in queries)


def test_a_new_grace_period_retimes_the_orders_at_the_next_poll(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    order = _order()
    assert order.status == "processing" and order.recheck_at == order.meta_created_at + timedelta(minutes=60)
    assert _poll(shop).reclassified == 0  # nothing new, nothing due

    _set_grace(shop, 15)  # the order, 18 minutes old, is past this one
    report = _poll(shop)

    assert report.outcome == "ok" and report.shopify_calls == 0
    changed = _order()
    assert (changed.status, changed.reason) == ("missing_from_shopify", "not_in_shopify")
    assert changed.stuck_since == changed.meta_created_at + timedelta(minutes=15)

    _set_grace(shop, 24 * 60)  # longer again: the order, already stuck, stays stuck; the others get new times
    _poll(shop)
    assert _order().status == "missing_from_shopify"
    young = SocialOrder.objects.get(meta_order_id="2904417823351206")  # in Meta's review: 24 h, whatever the grace
    assert young.recheck_at == young.meta_created_at + timedelta(hours=24)


def test_a_longer_warning_reaches_accepted_orders_that_were_closed(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    accepted = SocialOrder.objects.get(meta_order_id="2904417823351208")  # IN_PROGRESS, 4 days old, imported
    assert accepted.status == "fine" and accepted.recheck_at == accepted.deadline_at - timedelta(days=7, microseconds=1)

    shop_preferences_update(shop=shop, grace_minutes=60, auto_cancel_warning_days=27, buyer_email_language="auto")
    _poll(shop)

    warned = SocialOrder.objects.get(pk=accepted.pk)
    assert (warned.status, warned.reason) == ("nearing_auto_cancel", "auto_cancel_soon")
