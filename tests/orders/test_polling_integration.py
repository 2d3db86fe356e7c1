"""Detection end to end, through the sandbox's Meta and Shopify over HTTP (live server)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState, SocialOrder, SocialOrderEvent
from orderguard.orders.polling import poll_shop
from orderguard.orders.schedule import polls_dispatch_due
from orderguard.orders.selectors import stuck_orders
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.meta.models import MetaToken
from orderguard.sandbox.models import SandboxCall, SandboxShop
from tests.scenarios import BROKEN_CMS, BROKEN_SHOP, EXPECTED_STUCK

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def _calls(platform: str) -> int:
    return SandboxCall.objects.filter(platform=platform).count()


def test_a_broken_channel_yields_exactly_the_expected_stuck_orders(installed_shop):
    shop = installed_shop.shop
    report = poll_shop(shop=shop)

    assert report.outcome == "ok", report.message
    assert {o.meta_order_id: o.status for o in stuck_orders(shop=shop)} == EXPECTED_STUCK
    by_id = {o.meta_order_id: o for o in SocialOrder.objects.filter(shop=shop)}
    assert by_id["2904417823351205"].status == "processing" and by_id["2904417823351205"].reason == "within_grace"
    assert by_id["2904417823351206"].reason == "meta_reviewing"
    assert {by_id[i].status for i in ("2904417823351208", "2904417823351209", "2904417823351210")} == {"fine"}
    assert by_id["2904417823351211"].reason == "cancelled"
    # Imported orders were matched through the source identifier, ids kept as strings.
    assert by_id["2904417823351208"].shopify_matched_field == "source_identifier" and by_id["2904417823351208"].shopify_order_name
    stuck = by_id["2904417823351201"]
    assert stuck.total_amount is not None and stuck.currency == "USD"
    assert stuck.deadline_at == stuck.meta_created_at + timedelta(days=30)
    assert stuck.buyer_name and stuck.items and stuck.reason == "not_in_shopify"


def test_switching_the_channel_to_healthy_resolves_them_on_the_next_poll(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    sandbox_meta.set_channel_behaviour(BROKEN_CMS, "healthy")

    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=True):
        report = poll_shop(shop=shop)

    assert report.outcome == "ok", report.message
    assert {o.meta_order_id: o.status for o in stuck_orders(shop=shop)} == {"2904417823351207": "stuck_processing"}
    resolved = SocialOrder.objects.get(shop=shop, meta_order_id="2904417823351201")
    assert resolved.status == "resolved" and resolved.meta_state == "IN_PROGRESS"
    assert resolved.shopify_order_name and resolved.time_to_resolve > timedelta(minutes=4)
    history = list(SocialOrderEvent.objects.filter(order=resolved).values_list("kind", "from_value", "to_value"))
    assert ("meta_state", "CREATED", "IN_PROGRESS") in history
    assert ("status", "missing_from_shopify", "resolved") in history
    assert any(kind == "shopify_match" for kind, _, _ in history)


def test_an_incremental_poll_with_no_change_costs_one_meta_call_and_no_shopify_call(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    meta_before, shopify_before = _calls("meta"), _calls("shopify")

    report = poll_shop(shop=shop)

    assert report.outcome == "ok" and not report.full_sweep
    assert (report.meta_calls, report.shopify_calls) == (1, 0)
    assert (_calls("meta") - meta_before, _calls("shopify") - shopify_before) == (1, 0)


def test_an_expired_token_marks_the_connection_broken_and_stops_calling_meta(installed_shop):
    shop = installed_shop.shop
    MetaToken.objects.update(is_valid=False)

    failed = poll_shop(shop=shop)
    connection = MetaConnection.objects.get(shop=shop)
    assert failed.outcome == "failed"
    assert connection.status == MetaConnection.Status.BROKEN and connection.broken_reason == "reconnect_needed"

    meta_before = _calls("meta")
    skipped = poll_shop(shop=shop)
    assert skipped.outcome == "skipped" and "reconnect" in skipped.message
    assert _calls("meta") == meta_before
    PollState.objects.filter(shop=shop).update(next_poll_at=timezone.now() - timedelta(minutes=1))
    assert polls_dispatch_due() == []


def test_a_throttle_is_stored_and_no_call_is_made_before_it_ends(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    sandbox_meta.inject_fault(BROKEN_CMS, "throttle", code=80001, regain_minutes=7)

    failed = poll_shop(shop=shop, full=False)
    connection = MetaConnection.objects.get(shop=shop)
    assert failed.outcome == "failed"
    assert connection.status == MetaConnection.Status.CONNECTED
    assert timedelta(minutes=6) < connection.throttled_until - timezone.now() <= timedelta(minutes=8)

    meta_before = _calls("meta")
    assert poll_shop(shop=shop).outcome == "skipped"
    PollState.objects.filter(shop=shop).update(next_poll_at=timezone.now() - timedelta(minutes=1))
    assert polls_dispatch_due() == []
    assert _calls("meta") == meta_before

    with time_machine.travel(timezone.now() + timedelta(minutes=8), tick=True):
        assert polls_dispatch_due() == [shop.pk]
        assert poll_shop(shop=shop).outcome == "ok"


def test_a_transient_meta_failure_backs_off_and_the_next_poll_recovers(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    sandbox_meta.inject_fault(BROKEN_CMS, "server_error", status=500, times=5)

    failed = poll_shop(shop=shop, full=False)
    state = PollState.objects.get(shop=shop)
    assert failed.outcome == "failed" and state.consecutive_failures == 1 and state.last_error_code == "MetaTransientError"
    assert MetaConnection.objects.get(shop=shop).status == MetaConnection.Status.CONNECTED

    sandbox_meta.clear_faults(BROKEN_CMS)
    assert poll_shop(shop=shop).outcome == "ok"
    assert PollState.objects.get(shop=shop).consecutive_failures == 0


def test_shopify_unavailable_leaves_orders_awaiting_acknowledgement_not_missing(installed_shop):
    shop = installed_shop.shop
    SandboxShop.objects.filter(domain=BROKEN_SHOP).update(faults={"graphql_http_500": 20})

    report = poll_shop(shop=shop)

    assert report.outcome == "ok"
    statuses = {o.meta_order_id: o.status for o in stuck_orders(shop=shop)}
    assert statuses["2904417823351201"] == "awaiting_acknowledgement"
    assert PollState.objects.get(shop=shop).shopify_error
