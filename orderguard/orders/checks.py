"""Check now: a poll the merchant asks for on the orders page, at most once a minute per shop, and what
it found, worded for the page's toasts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orderguard.core.locks import lease_take
from orderguard.core.models import Lease
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.reasons import humanize_duration
from orderguard.orders.models import PollState, SocialOrder
from orderguard.orders.tasks import poll_shop_task
from orderguard.shops.models import Shop

CHECK_EVERY = timedelta(minutes=1)
# A check whose poll has not finished by then (another poll held the shop, no worker runs) stops waiting;
# the page's freshness poll still reloads the list whenever a poll lands.
CHECK_PATIENCE = timedelta(minutes=2)


@dataclass(frozen=True)
class CheckRequest:
    requested_at: datetime | None  # None: refused, for `refusal`
    refusal: str = ""
    rate_limited: bool = False


@dataclass(frozen=True)
class CheckResult:
    message: str
    error: bool


def poll_check_request(*, shop: Shop, now: datetime | None = None) -> CheckRequest:
    """Enqueue a poll of the shop now, unless it cannot be polled or was checked within CHECK_EVERY."""
    now = now or timezone.now()
    refusal = _why_not_now(shop=shop, now=now)
    if refusal:
        return CheckRequest(requested_at=None, refusal=refusal)
    key = f"check-now:{shop.pk}"
    if not lease_take(key, ttl=CHECK_EVERY):
        until = Lease.objects.filter(key=key).values_list("expires_at", flat=True).first() or now + CHECK_EVERY
        seconds = max(math.ceil((until - now).total_seconds()), 1)
        message = ngettext(
            "OrderGuard checked less than a minute ago. Try again in %(seconds)d second.",
            "OrderGuard checked less than a minute ago. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
        return CheckRequest(requested_at=None, refusal=message, rate_limited=True)
    poll_shop_task.delay(shop_id=shop.pk)
    return CheckRequest(requested_at=now)


def poll_check_result(*, shop: Shop, requested_at: datetime, now: datetime | None = None) -> CheckResult | None:
    """What the poll asked for at `requested_at` found; None while it has not finished."""
    now = now or timezone.now()
    state = PollState.objects.filter(shop=shop).first()
    if state is not None and state.last_attempt_at is not None and state.last_attempt_at >= requested_at:
        if state.last_success_at == state.last_attempt_at:
            count = SocialOrder.objects.filter(shop=shop, needs_action=True).count()
            if not count:
                return CheckResult(message=_("Checked: no order needs action."), error=False)
            message = ngettext("Checked: %(count)d order needs action.", "Checked: %(count)d orders need action.", count)
            return CheckResult(message=message % {"count": count}, error=False)
        return CheckResult(message=_("The check failed: %(error)s") % {"error": state.last_error_message}, error=True)
    if now - requested_at > CHECK_PATIENCE:
        return CheckResult(message=_("The check is taking longer than usual; the list updates by itself when it ends."), error=False)
    return None


def _why_not_now(*, shop: Shop, now: datetime) -> str:
    """Why a poll now would be skipped, in the merchant's words ("" when it would run)."""
    connection = MetaConnection.objects.filter(shop=shop).first()
    if connection is None or connection.status == MetaConnection.Status.DISCONNECTED:
        return _("Connect your Meta commerce account first.")
    if connection.status == MetaConnection.Status.BROKEN:
        return _("Reconnect Meta first: Meta stopped accepting OrderGuard's access.")
    if connection.throttled_until and connection.throttled_until > now:
        return _("Meta asked OrderGuard to wait %(duration)s before the next check.") % {
            "duration": humanize_duration(connection.throttled_until - now + timedelta(seconds=59))  # rounded up
        }
    return ""
