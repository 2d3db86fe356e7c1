"""Buyer data is kept only while it can help: once an order has been resolved or closed for longer than
BUYER_DATA_RETENTION_DAYS, its buyer's name, email and address are erased (the order row stays, for the
counts and the history). customers/redact and shop/redact erase on request, independently of this."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from orderguard.orders.compliance import ERASED_BUYER_DATA, social_orders_buyer_data_erase
from orderguard.orders.models import SocialOrder
from orderguard.reconciliation.engine import DONE

logger = logging.getLogger(__name__)


def social_orders_buyer_data_expire() -> int:
    """Erase the buyer data of orders done (fine or resolved) for longer than the retention period;
    returns how many orders held some. A resolved order counts from when it was resolved, an order that
    was never a problem from Meta's last change to it."""
    cutoff = timezone.now() - timedelta(days=settings.BUYER_DATA_RETENTION_DAYS)
    expired = SocialOrder.objects.filter(status__in=[status.value for status in DONE]).filter(
        Q(resolved_at__lt=cutoff) | Q(resolved_at__isnull=True, meta_updated_at__lt=cutoff)
    )
    erased = social_orders_buyer_data_erase(orders=expired.exclude(**ERASED_BUYER_DATA))
    # A count only: never a buyer's data, nor which orders.
    logger.info("Erased the buyer data of %d orders done for more than %d days", erased, settings.BUYER_DATA_RETENTION_DAYS)
    return erased
