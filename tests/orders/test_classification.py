"""Classification of stored rows: verdicts saved, history events, Shopify matches looked up or reused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderguard.orders.classification import social_orders_classify
from orderguard.orders.models import ShopifySocialOrder, SocialOrder, SocialOrderEvent
from orderguard.reconciliation.engine import ChannelFacts
from tests.orders import builders
from tests.orders.builders import NOW

pytestmark = pytest.mark.django_db

CHANNEL = ChannelFacts(order_management_app_registered=True)
PAST_GRACE = NOW - timedelta(hours=2)


def _classify(shop, orders, *, fresh=True, checked_at=NOW, now=NOW, refresh_matches=True):
    return social_orders_classify(
        shop=shop, orders=orders, channel=CHANNEL, shopify_checked_at=checked_at, now=now,
        fresh_ids=frozenset(o.pk for o in orders) if fresh else frozenset(), refresh_matches=refresh_matches,
    )


def _shopify_row(shop, meta_id, *, gid="gid://shopify/Order/1001", name="#1001", cancelled_at=None):
    return ShopifySocialOrder.objects.create(shop=shop, shopify_order_id=gid, name=name, meta_order_id=meta_id,
                                             matched_field="source_identifier", cancelled_at=cancelled_at)


def _events(order):
    return list(SocialOrderEvent.objects.filter(order=order).values_list("kind", "from_value", "to_value", "detail"))


@pytest.mark.parametrize(
    "state, in_shopify, checked, status, reason",
    [
        ("CREATED", False, True, "missing_from_shopify", "not_in_shopify"),
        ("CREATED", False, False, "awaiting_acknowledgement", "not_acknowledged"),
        ("CREATED", True, True, "imported_not_acknowledged", "imported_not_acknowledged"),
        ("IN_PROGRESS", True, True, "fine", "acknowledged"),
        ("FB_PROCESSING", False, True, "stuck_processing", "review_over_24h"),
    ],
)
def test_a_first_sighting_gets_a_verdict_and_a_status_event(state, in_shopify, checked, status, reason):
    shop = builders.shop()
    created = NOW - timedelta(hours=25) if state == "FB_PROCESSING" else PAST_GRACE
    order = builders.social_order(shop, "1001", state=state, created=created)
    if in_shopify:
        _shopify_row(shop, "1001")

    changed = _classify(shop, [order], checked_at=NOW if checked else None)

    assert changed == [order]
    stored = SocialOrder.objects.get(pk=order.pk)
    assert (stored.status, stored.reason) == (status, reason)
    assert stored.shopify_order_name == ("#1001" if in_shopify else "")
    assert ("status", "", status, reason) in _events(order)
    assert any(kind == "shopify_match" for kind, *_ in _events(order)) == in_shopify


def test_shopify_read_before_the_order_existed_proves_nothing():
    shop = builders.shop()
    order = builders.social_order(shop, "1001", created=PAST_GRACE)

    _classify(shop, [order], checked_at=PAST_GRACE - timedelta(minutes=1))

    assert SocialOrder.objects.get(pk=order.pk).status == "awaiting_acknowledgement"


def test_classifying_again_with_nothing_new_changes_nothing_and_records_nothing():
    shop = builders.shop()
    order = builders.social_order(shop, "1001", created=PAST_GRACE)
    _classify(shop, [order])
    events = _events(order)

    changed = _classify(shop, [order], fresh=False, now=NOW + timedelta(minutes=5))

    assert changed == [] and _events(order) == events


def test_a_status_move_records_where_it_came_from_and_the_new_match():
    shop = builders.shop()
    order = builders.social_order(shop, "1001", created=PAST_GRACE)
    _classify(shop, [order])
    _shopify_row(shop, "1001", name="#1042")

    changed = _classify(shop, [order], fresh=False, now=NOW + timedelta(minutes=5))

    assert changed == [order] and order.status == "imported_not_acknowledged"
    assert ("status", "missing_from_shopify", "imported_not_acknowledged", "imported_not_acknowledged") in _events(order)
    assert ("shopify_match", "", "#1042", "matched on source_identifier") in _events(order)


def test_a_live_shopify_order_wins_over_a_cancelled_one():
    shop = builders.shop()
    order = builders.social_order(shop, "1001", created=PAST_GRACE)
    _shopify_row(shop, "1001", gid="gid://shopify/Order/1", name="#1", cancelled_at=NOW)
    _shopify_row(shop, "1001", gid="gid://shopify/Order/2", name="#2")

    _classify(shop, [order])

    assert SocialOrder.objects.get(pk=order.pk).shopify_order_name == "#2"


def test_without_a_shopify_read_the_stored_match_is_reused_without_a_query(django_assert_num_queries):
    shop = builders.shop()
    order = builders.social_order(shop, "1001", created=PAST_GRACE)
    _shopify_row(shop, "1001")
    _classify(shop, [order])
    ShopifySocialOrder.objects.all().delete()  # a lookup would now find nothing

    with django_assert_num_queries(0):
        changed = _classify(shop, [order], fresh=False, refresh_matches=False, now=NOW + timedelta(minutes=5))

    assert changed == [] and order.shopify_order_name == "#1001"
