"""Celery entry points for shops: thin wrappers that take ids and call services.

Each task imports its service inside its body (the project's one rule for function-level imports, see
docs/architecture.md), so services may import these tasks at module top.
"""

from __future__ import annotations

from orderguard.core.tasks import orderguard_task
from orderguard.integrations.shopify.errors import ShopifyThrottledError, ShopifyTransientError
from orderguard.shops.models import Shop


@orderguard_task(name="orderguard.shops.process_webhook_delivery", acks_late=True)
def process_webhook_delivery_task(*, delivery_id: int) -> None:
    from orderguard.shops import webhooks

    webhooks.webhook_delivery_process(delivery_id=delivery_id)


@orderguard_task(name="orderguard.shops.sweep_webhook_deliveries")
def sweep_webhook_deliveries_task() -> None:
    from orderguard.shops import webhooks

    for delivery_id in webhooks.webhook_deliveries_due():
        process_webhook_delivery_task.delay(delivery_id=delivery_id)


@orderguard_task(
    name="orderguard.shops.sync_shop_details",
    autoretry_for=(ShopifyTransientError, ShopifyThrottledError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def sync_shop_details_task(*, shop_id: int) -> None:
    from orderguard.shops import services

    shop = Shop.objects.filter(pk=shop_id, status=Shop.Status.ACTIVE).first()
    if shop is not None:
        services.shop_sync_details(shop=shop)
