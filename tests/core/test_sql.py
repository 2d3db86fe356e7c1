"""orderguard.core.sql and the poll's plain-SQL statements: they read and write exactly what the ORM would
(decrypted tokens, JSON, aware datetimes, deferred columns), and the lease is taken once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderguard.core import sql
from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.selectors import meta_connection_of
from orderguard.orders.classification import social_orders_due
from orderguard.orders.models import PollState, SocialOrder
from orderguard.orders.poll_state import poll_lease_held, poll_state_save
from tests.orders import builders

pytestmark = pytest.mark.django_db
NOW = builders.NOW


def _fields(instance, names):
    return {name: getattr(instance, name) for name in names}


def test_the_connection_read_in_plain_sql_equals_the_orm_read():
    shop = builders.shop()
    builders.connection(shop, access_token="EAA-secret-ü", throttled_until=NOW, order_management_apps=[{"id": "1", "name": "Ünïcode"}])
    stored = MetaConnection.objects.get(shop=shop)

    read = meta_connection_of(shop_id=shop.pk)

    names = [field.attname for field in MetaConnection._meta.concrete_fields]
    assert _fields(read, names) == _fields(stored, names)
    assert read.access_token == "EAA-secret-ü"  # decrypted by the field's own converter
    assert read.throttled_until == NOW and read.throttled_until.tzinfo is not None
    assert read._state.adding is False and read._state.db == "default"
    assert meta_connection_of(shop_id=shop.pk + 1000) is None


def test_the_due_orders_are_read_with_only_the_classification_columns():
    shop = builders.shop()
    due = SocialOrder.objects.create(shop=shop, meta_order_id="1", meta_state="CREATED", meta_created_at=NOW, meta_updated_at=NOW,
                                     commerce_account_id="7", recheck_at=NOW - timedelta(minutes=1), buyer_name="Zoë")
    SocialOrder.objects.create(shop=shop, meta_order_id="2", meta_state="CREATED", meta_created_at=NOW, meta_updated_at=NOW,
                               commerce_account_id="7", recheck_at=NOW + timedelta(minutes=1))
    SocialOrder.objects.create(shop=shop, meta_order_id="3", meta_state="CREATED", meta_created_at=NOW, meta_updated_at=NOW,
                               commerce_account_id="7", recheck_at=None)

    read = social_orders_due(shop=shop, now=NOW)

    assert [order.pk for order in read] == [due.pk]
    assert read[0].meta_created_at == NOW and read[0].recheck_at == NOW - timedelta(minutes=1)
    assert "buyer_name" in read[0].get_deferred_fields()  # not read, loaded on access like QuerySet.only()
    assert read[0].buyer_name == "Zoë"


def test_the_lease_is_taken_once_with_the_state_and_the_outcome_written_in_one_statement():
    shop = builders.shop()
    PollState.objects.create(shop=shop, next_poll_at=NOW, last_report={"before": True})
    with poll_lease_held(shop=shop) as lease:
        assert lease is not None and lease.state.last_report == {"before": True}
        with poll_lease_held(shop=shop) as second:
            assert second is None  # single flight
        state = lease.state
        state.last_report = {"needs_action": 2, "buyer": "O'Brien \"; DROP TABLE x; --"}
        state.last_success_at = NOW
        state.consecutive_failures = 0
        assert poll_state_save(state=state, lease=lease) is True
        assert poll_state_save(state=state, lease=lease) is False  # released: a second write is refused
    stored = PollState.objects.get(shop=shop)
    assert stored.last_report == {"needs_action": 2, "buyer": "O'Brien \"; DROP TABLE x; --"}
    assert stored.last_success_at == NOW
    assert (stored.lease_owner, stored.lease_expires_at) == ("", None)


def test_a_shop_without_a_poll_state_gets_one_and_the_lease():
    shop = builders.shop()
    with poll_lease_held(shop=shop) as lease:
        assert lease is not None and lease.state.pk == PollState.objects.get(shop=shop).pk


def test_columns_follow_the_model_order_whatever_order_the_names_come_in():
    assert sql.columns(SocialOrder, ("recheck_at", "id")) == sql.columns(SocialOrder, ("id", "recheck_at"))
    assert sql.columns(SocialOrder, ("shop", "id")) == sql.columns(SocialOrder, ("id", "shop_id"))


def test_the_shop_is_read_with_its_preferences_in_one_statement(django_assert_num_queries):
    from orderguard.orders.detection_settings import detection_settings_for
    from orderguard.shops.models import Shop, ShopPreferences
    from orderguard.shops.selectors import shop_with_preferences

    chosen = builders.shop(domain="chose.myshopify.com", iana_timezone="Europe/Amsterdam")
    ShopPreferences.objects.create(shop=chosen, grace_minutes=45, auto_cancel_warning_days=3)
    never = builders.shop(domain="never.myshopify.com")

    with django_assert_num_queries(1):
        shop = shop_with_preferences(shop_id=chosen.pk)
        assert detection_settings_for(shop=shop).grace == timedelta(minutes=45)  # no query of its own
    stored = Shop.objects.get(pk=chosen.pk)
    names = [field.attname for field in Shop._meta.concrete_fields]
    assert _fields(shop, names) == _fields(stored, names)
    expected = detection_settings_for(shop=Shop.objects.get(pk=never.pk)).grace
    with django_assert_num_queries(1):
        defaults = shop_with_preferences(shop_id=never.pk)
        assert detection_settings_for(shop=defaults).grace == expected  # the defaults, without a query
    assert shop_with_preferences(shop_id=never.pk + 1000) is None
