"""Buyer data is not kept longer than needed (issue 8, item 6): orders done for longer than
BUYER_DATA_RETENTION_DAYS lose their buyer's name, email and address; the rest keep them."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from orderguard.orders.models import SocialOrder
from orderguard.orders.retention_tasks import expire_buyer_data_task

pytestmark = pytest.mark.django_db


def _has_buyer_data(order: SocialOrder) -> bool:
    order.refresh_from_db()
    return bool(order.buyer_name or order.buyer_email or order.shipping_address)


def test_buyer_data_of_orders_done_past_the_retention_period_is_erased_and_counted(shop_with_orders, settings, caplog):
    _, orders = shop_with_orders  # "resolved" was resolved 2 days ago; "fine" last changed 6 days ago
    settings.BUYER_DATA_RETENTION_DAYS = 90
    caplog.set_level(logging.INFO, logger="orderguard.orders.retention")

    with time_machine.travel(timezone.now() + timedelta(days=83)):  # fine: 89 days; resolved: 85 days
        expire_buyer_data_task()
    assert _has_buyer_data(orders["resolved"]) and _has_buyer_data(orders["fine"])

    with time_machine.travel(timezone.now() + timedelta(days=86)):  # fine: 92 days; resolved: 88 days
        expire_buyer_data_task()
    assert _has_buyer_data(orders["resolved"]) and not _has_buyer_data(orders["fine"])

    with time_machine.travel(timezone.now() + timedelta(days=93)):  # resolved: 95 days
        expire_buyer_data_task()
    for name in ("resolved", "fine"):
        order = orders[name]
        order.refresh_from_db()
        assert (order.buyer_name, order.buyer_email, order.shipping_address) == ("", "", {})
        assert order.meta_order_id and order.items  # the order itself stays
    for name in ("missing", "imported", "stuck_review", "processing"):  # still needing care, or in progress
        assert _has_buyer_data(orders[name]), name

    counts = [record.getMessage() for record in caplog.records if record.name == "orderguard.orders.retention"]
    assert counts == [f"Erased the buyer data of {n} orders done for more than 90 days" for n in (0, 1, 1)]
    assert "Ada Buyer" not in caplog.text and "marketplace.facebook.com" not in caplog.text and "Portland" not in caplog.text

    with time_machine.travel(timezone.now() + timedelta(days=94)):
        expire_buyer_data_task()
    assert "Erased the buyer data of 0 orders" in caplog.records[-1].getMessage()  # nothing erased twice


def test_the_retention_period_is_a_setting(shop_with_orders, settings):
    _, orders = shop_with_orders
    settings.BUYER_DATA_RETENTION_DAYS = 1
    expire_buyer_data_task()
    assert not _has_buyer_data(orders["resolved"]) and not _has_buyer_data(orders["fine"])
    assert _has_buyer_data(orders["missing"])
