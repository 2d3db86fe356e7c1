"""A social order's history: one helper per kind of event, so each kind is written the same way everywhere.

The helpers build unsaved rows; callers collect them and write them with one bulk_create.
"""

from __future__ import annotations

from datetime import datetime

from orderguard.orders.models import SocialOrder, SocialOrderEvent
from orderguard.reconciliation.engine import ShopifyMatch


def order_meta_state_event(*, order: SocialOrder, from_state: str = "", to_state: str, at: datetime) -> SocialOrderEvent:
    """Meta's state of the order moved (from nothing when the order is first seen)."""
    return SocialOrderEvent(shop_id=order.shop_id, order=order, kind=SocialOrderEvent.Kind.META_STATE,
                            from_value=from_state, to_value=to_state, at=at)


def order_status_event(*, order: SocialOrder, from_status: str = "", to_status: str, reason: str, at: datetime) -> SocialOrderEvent:
    """OrderGuard's verdict moved (from nothing on the first verdict), with the reason for the new one."""
    return SocialOrderEvent(shop_id=order.shop_id, order=order, kind=SocialOrderEvent.Kind.STATUS,
                            from_value=from_status, to_value=to_status, detail=reason, at=at)


def order_shopify_match_event(*, order: SocialOrder, match: ShopifyMatch, at: datetime) -> SocialOrderEvent:
    """A Shopify order was found to be this Meta order."""
    return SocialOrderEvent(shop_id=order.shop_id, order=order, kind=SocialOrderEvent.Kind.SHOPIFY_MATCH,
                            to_value=match.name, detail=f"matched on {match.matched_field}", at=at)


def order_remedy_event(*, order: SocialOrder, what: str, actor: str = "", detail: str = "", at: datetime) -> SocialOrderEvent:
    """A remedy did something the merchant should see in the history (`what`: "apology_sent",
    "recovered"...), with who asked for it (`actor`: the admin user or "operator") and a short detail
    (never the buyer's personal data)."""
    return SocialOrderEvent(shop_id=order.shop_id, order=order, kind=SocialOrderEvent.Kind.REMEDY,
                            from_value=actor[:64], to_value=what[:64], detail=detail[:255], at=at)
