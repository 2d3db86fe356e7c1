"""When a shop switches its Meta commerce account (or disconnects), the previous account's orders and
their buyer data leave the shop at once: its page, exports and commands show only the account the shop
is connected to. The next poll is a full sweep, so the new account's orders appear at the next dispatch
rather than at the next six-hourly sweep."""

from __future__ import annotations

import logging

from orderguard.orders.models import PollState, SocialOrder
from orderguard.shops.models import Shop

logger = logging.getLogger(__name__)


def social_orders_forget_account(*, shop: Shop, commerce_account_id: str) -> int:
    """Erase the shop's orders of `commerce_account_id` (with their history) and make the next poll a
    full sweep. Returns how many orders were erased."""
    _, per_model = SocialOrder.objects.filter(shop=shop, commerce_account_id=commerce_account_id).delete()
    erased = per_model.get(SocialOrder._meta.label, 0)
    PollState.objects.filter(shop=shop).update(last_full_sweep_at=None, meta_cursor=None)
    logger.info("Shop %s left commerce account %s: erased its %s orders", shop.pk, commerce_account_id, erased)
    return erased


def on_commerce_account_changed(sender, *, shop: Shop, previous: str, current: str, **kwargs) -> None:
    social_orders_forget_account(shop=shop, commerce_account_id=previous)
