"""Celery entry points for alerts: thin wrappers that take ids and call the services."""

from __future__ import annotations

from orderguard.core.tasks import orderguard_task


@orderguard_task(name="orderguard.alerts.deliver_alert", queue="alerts", acks_late=True)
def deliver_alert_task(*, delivery_id: int) -> None:
    from orderguard.alerts.delivery import alert_delivery_send

    alert_delivery_send(delivery_id=delivery_id)


@orderguard_task(name="orderguard.alerts.sweep_alert_deliveries", queue="alerts")
def sweep_alert_deliveries_task() -> None:
    from orderguard.alerts.delivery import alert_deliveries_due

    for delivery_id in alert_deliveries_due():
        deliver_alert_task.delay(delivery_id=delivery_id)


@orderguard_task(name="orderguard.alerts.evaluate_alerts", queue="alerts")
def evaluate_alerts_task() -> None:
    from orderguard.alerts.evaluation import alerts_evaluate_shop, shops_to_evaluate

    for shop in shops_to_evaluate().iterator():
        alerts_evaluate_shop(shop=shop)


@orderguard_task(name="orderguard.alerts.evaluate_heartbeats", queue="alerts")
def evaluate_heartbeats_task() -> None:
    from orderguard.alerts.evaluation import shops_to_evaluate
    from orderguard.alerts.heartbeat_watch import heartbeat_evaluate_shop

    for shop in shops_to_evaluate().iterator():
        heartbeat_evaluate_shop(shop=shop)
