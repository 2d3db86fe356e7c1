"""What each status and reason means to a merchant, in their language (the engine only has codes)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orderguard.reconciliation.engine import MetaState, Reason, Status

STATUS_LABELS = {
    Status.PROCESSING: _("In processing"),
    Status.STUCK_PROCESSING: _("Stuck in Meta's review"),
    Status.AWAITING_ACKNOWLEDGEMENT: _("Awaiting acknowledgement"),
    Status.IMPORTED_NOT_ACKNOWLEDGED: _("In Shopify, not acknowledged"),
    Status.MISSING_FROM_SHOPIFY: _("Missing from Shopify"),
    Status.FINE: _("Fine"),
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
    Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY: _("Meta marked this order as accepted, but it is not in Shopify."),
    Reason.ACKNOWLEDGED: _("Accepted by Shopify."),
    Reason.COMPLETED: _("Shipped or completed."),
    Reason.CANCELLED: _("Cancelled on Meta; the buyer is not charged."),
}

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


def humanize_duration(duration: timedelta) -> str:
    """'3 days', '5 hours', '12 minutes': the largest whole unit."""
    seconds = max(int(duration.total_seconds()), 0)
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if days:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if hours:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
