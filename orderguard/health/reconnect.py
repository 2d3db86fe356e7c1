"""The guided reconnect: the merchant's steps as a checklist (each confirmed and recorded), then a
verification run by the workers. It re-polls, re-runs the checks and watches the orders that were stuck
when it began: it succeeds once they no longer need action or a new order reached Shopify after the
steps, and escalates (with the support dossier) when HEALTH_RECONNECT_VERIFY_MINUTES pass first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from orderguard.health import links
from orderguard.health.models import HealthCheckResult, ReconnectEvent, ReconnectSession
from orderguard.health.services import health_checks_run
from orderguard.health.tasks import verify_reconnect_task
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import ShopifySocialOrder, SocialOrder
from orderguard.orders.polling import poll_shop
from orderguard.orders.selectors import stuck_orders
from orderguard.shops.models import Shop

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    code: str
    title: str  # msgid
    body: str  # msgid
    link: Callable[[Shop], str]
    link_label: str  # msgid


def _channel_link(shop: Shop) -> str:
    stored = HealthCheckResult.objects.filter(shop=shop, code="shopify.channel_installed").first()
    return links.channel(shop, (stored.details or {}).get("launch_url", "") if stored else "")


def _commerce_manager_link(shop: Shop) -> str:
    connection = MetaConnection.objects.filter(shop=shop).first()
    return links.commerce_manager(connection.commerce_account_id) if connection else "https://www.facebook.com/commerce_manager/"


STEPS = (
    Step("channel_off", _("Turn the channel off"),
         _("In Shopify, open the Facebook & Instagram channel and turn off the Facebook and Instagram toggles."),
         _channel_link, _("Open the Facebook & Instagram channel")),
    Step("channel_reconnect", _("Reconnect and sign in again"),
         _("In the same channel, reconnect your Facebook account and approve every step again: business, Page, catalog and commerce account. Turn both toggles back on."),
         _channel_link, _("Open the Facebook & Instagram channel")),
    Step("commerce_manager", _("Check Commerce Manager"),
         _("In Commerce Manager, check that your shop is on and that Shopify is the partner that manages its orders."),
         _commerce_manager_link, _("Open Commerce Manager")),
    Step("checkout_settings", _("Check the checkout settings"),
         _("Choose where buyers pay: on Facebook and Instagram, or on your website. Check that payments and shipping in Shopify match that choice."),
         lambda shop: links.shopify_admin(shop, "settings/payments"), _("Open payment settings")),
)
STEP_CODES = tuple(step.code for step in STEPS)


def _event(session: ReconnectSession, kind: str, *, at: datetime, step: str = "", **detail) -> None:
    ReconnectEvent.objects.create(shop_id=session.shop_id, session=session, kind=kind, step=step, detail=detail, at=at)


def reconnect_current(*, shop: Shop) -> ReconnectSession | None:
    return ReconnectSession.objects.filter(shop=shop).order_by("-started_at", "-pk").first()


def reconnect_start(*, shop: Shop, now: datetime | None = None) -> ReconnectSession:
    """Start a guided reconnect, or return the one in progress."""
    now = now or timezone.now()
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()  # one start at a time per shop
        current = reconnect_current(shop=shop)
        if current is not None and current.active:
            return current
        ids = list(stuck_orders(shop=shop).values_list("meta_order_id", flat=True)[:500])
        session = ReconnectSession.objects.create(shop=shop, started_at=now, stuck_order_ids=ids)
        _event(session, ReconnectEvent.Kind.STARTED, at=now, stuck=len(ids))
    return session


def confirmed_steps(session: ReconnectSession) -> set[str]:
    return set(session.events.filter(kind=ReconnectEvent.Kind.STEP).values_list("step", flat=True))


def reconnect_step_confirm(*, shop: Shop, session_id: int, step: str, now: datetime | None = None) -> ReconnectSession | None:
    """Record that the merchant did `step`; after the last step, the verification starts. Unknown
    sessions or steps, and steps of a finished reconnect, change nothing (None)."""
    now = now or timezone.now()
    if step not in STEP_CODES:
        return None
    with transaction.atomic():
        session = ReconnectSession.objects.select_for_update().filter(shop=shop, pk=session_id).first()
        if session is None or session.status != ReconnectSession.Status.STEPS:
            return session
        if step not in confirmed_steps(session):
            _event(session, ReconnectEvent.Kind.STEP, at=now, step=step)
        if confirmed_steps(session) >= set(STEP_CODES):
            session.status = ReconnectSession.Status.VERIFYING
            session.verify_started_at = now
            session.verify_deadline = now + timedelta(minutes=settings.HEALTH_RECONNECT_VERIFY_MINUTES)
            session.save(update_fields=["status", "verify_started_at", "verify_deadline"])
            _event(session, ReconnectEvent.Kind.VERIFYING, at=now, deadline=session.verify_deadline.isoformat())
            transaction.on_commit(lambda: verify_reconnect_task.delay(session_id=session.pk))
    return session


def reconnect_verify(*, session: ReconnectSession, now: datetime | None = None) -> ReconnectSession:
    """One verification round: poll, re-run the checks, then decide."""
    now = now or timezone.now()
    if session.status != ReconnectSession.Status.VERIFYING:
        return session
    shop = session.shop
    poll_shop(shop=shop, now=now)
    health_checks_run(shop=shop, now=now)
    remaining = SocialOrder.objects.filter(shop=shop, meta_order_id__in=session.stuck_order_ids, needs_action=True).count()
    flowing = ShopifySocialOrder.objects.filter(shop=shop, shopify_created_at__gte=session.verify_started_at).exclude(meta_order_id="").exists()
    with transaction.atomic():
        session = ReconnectSession.objects.select_for_update().get(pk=session.pk)
        if session.status != ReconnectSession.Status.VERIFYING:
            return session
        session.last_verified_at = now
        _event(session, ReconnectEvent.Kind.VERIFIED, at=now, remaining=remaining, new_orders_in_shopify=flowing)
        if remaining == 0 or flowing:
            session.status, session.finished_at = ReconnectSession.Status.SUCCEEDED, now
            session.outcome = "orders_acknowledged" if remaining == 0 else "new_orders_flow"
            _event(session, ReconnectEvent.Kind.SUCCEEDED, at=now, outcome=session.outcome)
        elif now >= session.verify_deadline:
            session.status, session.finished_at, session.outcome = ReconnectSession.Status.ESCALATED, now, "still_stuck"
            _event(session, ReconnectEvent.Kind.ESCALATED, at=now, remaining=remaining)
            logger.warning("Guided reconnect of %s escalated: %d orders still stuck", shop.domain, remaining)
        session.save()
    return session

