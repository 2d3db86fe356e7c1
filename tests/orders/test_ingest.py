"""Ingest on in-memory Meta orders: create, change, no-op, buyer details kept, history events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from orderguard.orders.compliance import social_orders_buyer_data_erase
from orderguard.orders.ingest import social_orders_upsert
from orderguard.orders.models import SocialOrder, SocialOrderEvent
from tests.orders import builders
from tests.orders.builders import NOW

pytestmark = pytest.mark.django_db

CMS = "781204456120017"


def _upsert(shop, *orders, now=NOW):
    return social_orders_upsert(shop=shop, commerce_account_id=CMS, meta_orders=list(orders), now=now)


def _events(shop):
    return list(SocialOrderEvent.objects.filter(shop=shop).order_by("pk").values_list("order__meta_order_id", "kind", "from_value", "to_value"))


def test_new_orders_are_created_with_a_first_meta_state_event():
    shop = builders.shop()

    result = _upsert(shop, builders.meta_order("1001"), builders.meta_order("1002", state="FB_PROCESSING"))

    assert [row.meta_order_id for row in result.created] == ["1001", "1002"] and result.changed == []
    assert result.created_ids == frozenset(SocialOrder.objects.values_list("pk", flat=True))
    row = SocialOrder.objects.get(meta_order_id="1001")
    assert (row.status, row.reason, row.meta_state, row.channel) == ("processing", "meta_reviewing", "CREATED", "facebook")
    assert row.items[0]["price_per_unit"] == "12.50" and row.commerce_account_id == CMS
    assert _events(shop) == [("1001", "meta_state", "", "CREATED"), ("1002", "meta_state", "", "FB_PROCESSING")]


def test_the_same_answer_twice_writes_nothing_the_second_time():
    shop = builders.shop()
    _upsert(shop, builders.meta_order("1001"))
    updated_at = SocialOrder.objects.get().updated_at

    result = _upsert(shop, builders.meta_order("1001"))

    assert (result.created, result.changed, result.touched) == ([], [], [])
    assert SocialOrder.objects.get().updated_at == updated_at
    assert len(_events(shop)) == 1


def test_a_state_change_updates_the_row_and_records_the_move():
    shop = builders.shop()
    _upsert(shop, builders.meta_order("1001"))
    later = NOW + timedelta(minutes=7)

    result = _upsert(shop, builders.meta_order("1001", state="IN_PROGRESS", last_updated=later), now=later)

    assert result.created == [] and [row.meta_order_id for row in result.changed] == ["1001"]
    assert result.created_ids == frozenset()
    assert SocialOrder.objects.get().meta_state == "IN_PROGRESS"
    assert _events(shop)[-1] == ("1001", "meta_state", "CREATED", "IN_PROGRESS")
    assert SocialOrderEvent.objects.order_by("pk").last().at == later


def test_a_change_without_a_state_move_records_no_event():
    shop = builders.shop()
    _upsert(shop, builders.meta_order("1001"))

    result = _upsert(shop, builders.meta_order("1001", merchant_order_id="M-7"))

    assert [row.merchant_order_id for row in result.changed] == ["M-7"]
    assert len(_events(shop)) == 1


def test_buyer_details_sent_earlier_are_kept_when_a_later_answer_omits_them():
    shop = builders.shop()
    _upsert(shop, builders.meta_order("1001"))

    result = _upsert(shop, builders.meta_order("1001", buyer_name="", buyer_email="", shipping_address={}))

    assert result.changed == []  # nothing else changed, so nothing is written
    row = SocialOrder.objects.get()
    assert (row.buyer_name, row.buyer_email, row.shipping_address) == ("Ada Buyer", "ada@example.com", {"city": "Lyon"})


def test_an_order_repeated_across_pages_is_stored_once_with_its_latest_values():
    shop = builders.shop()

    result = _upsert(shop, builders.meta_order("1001"), builders.meta_order("1001", state="IN_PROGRESS"))

    assert [row.meta_state for row in result.created] == ["IN_PROGRESS"]
    assert SocialOrder.objects.count() == 1


def test_orders_without_an_id_are_ignored_and_counted():
    shop = builders.shop()

    result = _upsert(shop, builders.meta_order(""), builders.meta_order("9" * 65))

    assert result.touched == [] and not SocialOrder.objects.exists()
    assert result.rejected == 2


# Issue 11, item 3: an order without a usable `created` is stored with what is known, flagged, counted.
@pytest.mark.parametrize(
    "last_updated, placeholder",
    [(NOW - timedelta(hours=3), NOW - timedelta(hours=3)), (None, NOW)],
    ids=["the last update stands in", "first seen stands in"],
)
def test_an_order_without_a_creation_time_is_stored_flagged_and_counted(last_updated, placeholder):
    shop = builders.shop()

    result = _upsert(shop, builders.meta_order("1001", created=None, last_updated=last_updated), builders.meta_order("1002"))

    assert [row.meta_order_id for row in result.created] == ["1001", "1002"] and result.created_unknown == 1
    row = SocialOrder.objects.get(meta_order_id="1001")
    assert row.created_unknown and row.meta_created_at == placeholder
    assert not SocialOrder.objects.get(meta_order_id="1002").created_unknown


def test_a_placeholder_creation_time_is_kept_and_replaced_once_meta_sends_one():
    shop = builders.shop()
    _upsert(shop, builders.meta_order("1001", created=None, last_updated=None))

    again = _upsert(shop, builders.meta_order("1001", created=None, last_updated=None), now=NOW + timedelta(minutes=5))
    assert again.touched == []  # the placeholder does not move with every poll

    placed = NOW - timedelta(days=2)
    _upsert(shop, builders.meta_order("1001", created=placed), now=NOW + timedelta(minutes=10))
    row = SocialOrder.objects.get()
    assert (row.meta_created_at, row.created_unknown) == (placed, False)
    _upsert(shop, builders.meta_order("1001", created=None, last_updated=placed), now=NOW + timedelta(minutes=15))
    row.refresh_from_db()
    assert (row.meta_created_at, row.created_unknown) == (placed, False)  # a known time is never replaced by a guess


# Issue 11, item 1: any state, of any length, is stored as Meta sent it and counted.
@pytest.mark.parametrize("state", ["ON_HOLD", "X" * 40, "PENDING_SELLER_REVIEW_AFTER_PAYMENT_CHECK_" * 4])
def test_an_unknown_state_of_any_length_is_stored_intact_with_its_history(state):
    shop = builders.shop()

    result = _upsert(shop, builders.meta_order("1001", state=state), builders.meta_order("1002"))

    assert len(result.created) == 2 and result.unknown_states == 1
    assert SocialOrder.objects.get(meta_order_id="1001").meta_state == state
    assert ("1001", "meta_state", "", state) in _events(shop)


def test_text_meta_sends_that_a_database_would_refuse_is_cleaned_not_fatal():
    shop = builders.shop()
    odd = builders.meta_order("1001", buyer_name="Ada\x00Buyer", shipping_address={"city": "Ly\x00on"}, total_amount=Decimal("1e15"))

    result = _upsert(shop, odd, builders.meta_order("1002"))

    assert len(result.created) == 2 and result.rejected == 0
    row = SocialOrder.objects.get(meta_order_id="1001")
    assert (row.buyer_name, row.shipping_address, row.total_amount) == ("AdaBuyer", {"city": "Lyon"}, None)


def test_a_poll_never_brings_back_buyer_data_that_was_erased():
    shop = builders.shop()
    _upsert(shop, builders.meta_order("1001"))
    social_orders_buyer_data_erase(orders=SocialOrder.objects.filter(shop=shop))

    # Meta still has the order (a full sweep reads it again, now in a later state) with its buyer.
    _upsert(shop, builders.meta_order("1001", state="IN_PROGRESS"), now=NOW + timedelta(hours=1))

    row = SocialOrder.objects.get(meta_order_id="1001")
    assert row.meta_state == "IN_PROGRESS"
    assert (row.buyer_name, row.buyer_email, row.shipping_address) == ("", "", {})
    assert row.buyer_data_erased_at is not None
