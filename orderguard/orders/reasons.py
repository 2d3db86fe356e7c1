"""What each status and reason means to a merchant, in their language (the engine only has codes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orderguard.orders.shop_time import UTC_ZONE, shop_datetime
from orderguard.reconciliation.engine import MetaState, Reason, Status

STATUS_LABELS = {
    Status.PROCESSING: _("In processing"),
    Status.STUCK_PROCESSING: _("Stuck in Meta's review"),
    Status.AWAITING_ACKNOWLEDGEMENT: _("Awaiting acknowledgement"),
    Status.IMPORTED_NOT_ACKNOWLEDGED: _("In Shopify, not acknowledged"),
    Status.MISSING_FROM_SHOPIFY: _("Missing from Shopify"),
    Status.NEARING_AUTO_CANCEL: _("Ship before Meta cancels it"),
    Status.UNKNOWN_META_STATE: _("Unknown Meta state"),
    Status.FINE: _("Fine"),
    Status.CANCELLED: _("Cancelled"),
    Status.RESOLVED: _("Resolved"),
}

REASON_TEXTS = {
    Reason.META_REVIEWING: _("Meta is still checking this order (payment and fraud review). Nothing to do yet."),
    Reason.WITHIN_GRACE: _("Waiting for Shopify to pick it up; this normally takes under 30 minutes."),
    Reason.REVIEW_OVER_24H: _("Meta has kept this order in review for more than 24 hours. Meta allows cancelling it now."),
    Reason.NOT_ACKNOWLEDGED: _("Shopify has not accepted this order yet, and OrderGuard could not check Shopify."),
    Reason.NO_ORDER_MANAGEMENT_APP: _("Meta is waiting for an app to accept this order, but no app manages your orders on Meta."),
    Reason.IMPORTED_NOT_ACKNOWLEDGED: _("Shopify has this order but never confirmed it to Meta; Meta still shows it as pending."),
    Reason.NOT_IN_SHOPIFY: _("Meta is waiting for Shopify to accept this order, and Shopify does not have it."),
    Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY: _("Accepted on Meta but not in Shopify: ship it from Commerce Manager before Meta cancels it."),
    Reason.AUTO_CANCEL_SOON: _("Accepted but not shipped: ship it soon or Meta cancels it."),
    Reason.AUTO_CANCEL_IMMINENT: _("Accepted but not shipped: ship it today or Meta cancels it."),
    Reason.UNKNOWN_META_STATE: _("Meta reports a state OrderGuard does not know. Check the order in Commerce Manager."),
    Reason.ACKNOWLEDGED: _("Accepted by Shopify."),
    Reason.COMPLETED: _("Shipped or completed."),
    Reason.SHIPPED_OUTSIDE_SHOPIFY: _("Shipped outside Shopify: Meta shows it completed, Shopify never had it. Nothing to do."),
    Reason.CANCELLED: _("Cancelled on Meta; the buyer is not charged."),
}

# The same reasons with what the order itself says: its deadline (in the shop's zone) or Meta's state.
_DEADLINE_TEXTS = {
    Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY: _("Accepted on Meta but not in Shopify: ship it from Commerce Manager before %(deadline)s."),
    Reason.AUTO_CANCEL_SOON: _("Accepted but not shipped: ship it before %(deadline)s or Meta cancels it."),
    Reason.AUTO_CANCEL_IMMINENT: _("Accepted but not shipped: ship it before %(deadline)s or Meta cancels it."),
}
_UNKNOWN_STATE_TEXT = _("Unknown Meta state %(state)s: OrderGuard does not know what it means. Check the order in Commerce Manager.")
# Meta's order states in a merchant's words; the raw state stays beside it in small print for support.
META_STATE_LABELS = {
    MetaState.FB_PROCESSING: _("In Meta's review"),
    MetaState.CREATED: _("Waiting to be accepted"),
    MetaState.IN_PROGRESS: _("Accepted, not shipped yet"),
    MetaState.COMPLETED: _("Shipped"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(Status(status), status)) if status in Status._value2member_map_ else status


def meta_state_label(state: str) -> str:
    """A Meta order state in words; a state OrderGuard does not know is shown as Meta sent it."""
    return str(META_STATE_LABELS.get(MetaState(state), state)) if state in MetaState._value2member_map_ else state


def reason_text(reason: str) -> str:
    return str(REASON_TEXTS.get(Reason(reason), reason)) if reason in Reason._value2member_map_ else reason


def order_reason_text(*, reason: str, meta_state: str = "", deadline_at: datetime | None = None, zone: ZoneInfo = UTC_ZONE) -> str:
    """The reason for one order, with its deadline in the shop's zone or the state Meta sent."""
    if reason == Reason.UNKNOWN_META_STATE:
        return gettext(_UNKNOWN_STATE_TEXT) % {"state": meta_state or "—"}
    if reason in _DEADLINE_TEXTS and deadline_at is not None:
        return gettext(_DEADLINE_TEXTS[Reason(reason)]) % {"deadline": shop_datetime(deadline_at, zone=zone)}
    return reason_text(reason)


def humanize_duration(duration: timedelta) -> str:
    """'3 days', '5 hours', '12 minutes': the largest whole unit."""
    seconds = max(int(duration.total_seconds()), 0)
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if days:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if hours:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
