"""Times in the shop's time zone and reasons with the order's own facts (issue 11, items 1, 4, 5, 9).

    {% load shop_time %}
    {{ order.deadline_at|shop_datetime:shop }}   ->  "Dec 27, 2026, 2:05 PM CET" (en), "27 dec 2026, 14:05 CET" (nl)
    {{ order|order_reason:shop }}                ->  the reason, with the deadline in the shop's zone or Meta's state
"""

from __future__ import annotations

from datetime import datetime

from django import template

from orderguard.orders.reasons import order_reason_text
from orderguard.orders.shop_time import shop_date, shop_zone
from orderguard.orders.shop_time import shop_datetime as format_shop_datetime

register = template.Library()


@register.filter
def shop_datetime(value: datetime | None, shop) -> str:
    """A date and time in the shop's zone, the zone named."""
    return format_shop_datetime(value, zone=shop_zone(shop))


@register.filter
def shop_day(value: datetime | None, shop) -> str:
    return shop_date(value, zone=shop_zone(shop))


@register.filter
def order_reason(order, shop) -> str:
    return order_reason_text(reason=order.reason, meta_state=order.meta_state, deadline_at=order.deadline_at, zone=shop_zone(shop))
