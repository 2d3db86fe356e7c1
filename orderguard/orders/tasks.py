"""Celery entry points for polling: the beat-driven dispatcher fans out one task per due shop."""

from __future__ import annotations

from orderguard.core.tasks import orderguard_task
from orderguard.orders import polling, schedule
from orderguard.shops.models import Shop


@orderguard_task(name="orderguard.orders.dispatch_due_polls", queue="polling")
def dispatch_due_polls_task() -> None:
    for shop_id in schedule.polls_dispatch_due():
        poll_shop_task.delay(shop_id=shop_id)


@orderguard_task(name="orderguard.orders.poll_shop", queue="polling", acks_late=True)
def poll_shop_task(*, shop_id: int) -> None:
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is not None:
        polling.poll_shop(shop=shop)


@orderguard_task(name="orderguard.orders.flag_stale_pollers", queue="default")
def flag_stale_pollers_task() -> None:
    schedule.pollers_flag_stale()
