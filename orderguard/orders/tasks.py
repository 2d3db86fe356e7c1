"""Celery entry points for polling: the beat-driven dispatcher fans out one task per due shop."""

from __future__ import annotations

from orderguard.core.tasks import orderguard_task
from orderguard.orders import polling, schedule
from orderguard.shops.selectors import shop_with_preferences


# On a queue of its own, so a tick never waits behind a backlog of polls.
@orderguard_task(name="orderguard.orders.dispatch_due_polls", queue="dispatch")
def dispatch_due_polls_task() -> None:
    # One broker connection for the whole fan-out; each batch is enqueued while the next is claimed.
    with poll_shop_task.app.producer_or_acquire() as producer:
        for claimed in schedule.polls_claim_batches():
            for shop_id in claimed:
                poll_shop_task.apply_async(kwargs={"shop_id": shop_id}, producer=producer)


@orderguard_task(name="orderguard.orders.poll_shop", queue="polling", acks_late=True)
def poll_shop_task(*, shop_id: int) -> None:
    shop = shop_with_preferences(shop_id=shop_id)
    if shop is not None:
        polling.poll_shop(shop=shop)


@orderguard_task(name="orderguard.orders.flag_stale_pollers", queue="default")
def flag_stale_pollers_task() -> None:
    schedule.pollers_flag_stale()
