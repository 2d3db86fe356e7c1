"""Celery entry points: the beat-driven dispatcher of due checks, and one shop's run."""

from __future__ import annotations

from django.utils import timezone

from orderguard.core.tasks import orderguard_task
from orderguard.health import schedule
from orderguard.health.models import ReconnectSession
from orderguard.shops.models import Shop


@orderguard_task(name="orderguard.health.dispatch_checks", queue="default")
def dispatch_health_checks_task() -> None:
    now = timezone.now()
    daily = set(schedule.health_daily_due(now=now))
    for shop_id in daily:
        run_health_checks_task.delay(shop_id=shop_id, cheap_only=False)
    for shop_id in schedule.health_cheap_due(now=now):
        if shop_id not in daily:
            run_health_checks_task.delay(shop_id=shop_id, cheap_only=True)
    for session_id in schedule.reconnects_verify_due(now=now):
        verify_reconnect_task.delay(session_id=session_id)


@orderguard_task(name="orderguard.health.run_checks", queue="default")
def run_health_checks_task(*, shop_id: int, cheap_only: bool = False) -> None:
    from orderguard.health.services import health_checks_run

    shop = Shop.objects.filter(pk=shop_id, status=Shop.Status.ACTIVE).first()
    if shop is not None:
        health_checks_run(shop=shop, cheap_only=cheap_only)


@orderguard_task(name="orderguard.health.verify_reconnect", queue="default")
def verify_reconnect_task(*, session_id: int) -> None:
    from orderguard.health.reconnect import reconnect_verify

    session = ReconnectSession.objects.select_related("shop").filter(pk=session_id, status=ReconnectSession.Status.VERIFYING).first()
    if session is not None:
        reconnect_verify(session=session)
