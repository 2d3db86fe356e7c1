"""Checks of OrderGuard itself: is the poller alive and recent, and how did the last poll end."""

from __future__ import annotations

# Messages are marked, not translated, here: they are stored and translated when shown (registry.py).
from django.utils.translation import gettext_noop as _

from orderguard.health import links
from orderguard.health.context import CheckContext
from orderguard.health.registry import Outcome, check, failing, pass_, unknown, warning
from orderguard.orders.selectors import poll_health


@check(code="orderguard.poller", title=_("OrderGuard checks your orders regularly"), group="orderguard", cheap=True)
def poller(ctx: CheckContext) -> Outcome:
    health = poll_health(shop=ctx.shop, now=ctx.now)
    if health.last_success_at is None:
        return unknown(_("OrderGuard has not finished a check of your orders yet."), fix_url=links.app_page("dashboard:meta"))
    minutes = int((ctx.now - health.last_success_at).total_seconds() // 60)
    details = {"last_success_at": health.last_success_at.isoformat()}
    if health.stale:
        return failing(_("OrderGuard's last successful check was %(minutes)s minutes ago; checks have stalled. We have been alerted."),
                       minutes=minutes, details=details)
    return pass_(_("Orders were last checked %(minutes)s minutes ago."), minutes=minutes, details=details)


@check(code="orderguard.last_poll", title=_("The last check of your orders succeeded"), group="orderguard", cheap=True)
def last_poll(ctx: CheckContext) -> Outcome:
    state = ctx.poll_state
    if state is None or state.last_attempt_at is None:
        return unknown(_("OrderGuard has not checked your orders yet."))
    details = {"last_attempt_at": state.last_attempt_at.isoformat(), "error_code": state.last_error_code,
               "consecutive_failures": state.consecutive_failures}
    if state.consecutive_failures:
        outcome = failing if state.consecutive_failures >= 3 else warning
        return outcome(_("The last %(count)s checks failed (%(error)s)."), count=state.consecutive_failures,
                       error=state.last_error_message or state.last_error_code or "?", details=details)
    if state.shopify_error:
        return warning(_("The last check could not read Shopify (%(error)s); orders may show as waiting for longer."),
                       error=state.shopify_error, details=details)
    return pass_(_("The last check succeeded."), details=details)
