"""Celery entry point for the retention period of buyer data (orders/retention.py)."""

from __future__ import annotations

from orderguard.core.tasks import orderguard_task
from orderguard.orders import retention


@orderguard_task(name="orderguard.orders.expire_buyer_data")
def expire_buyer_data_task() -> None:
    retention.social_orders_buyer_data_expire()
