"""Deprecation signals from the platforms' responses, made durable: the latest one per shop and platform.

The clients (orderguard/integrations) only report a signal to a listener; the factories
(shops/clients.py, meta_connections/clients.py) install the one below, so every call of every feature is
covered and the integrations stay free of the project. The page (alerts/platform.py) and the
`platform_notices` command read the rows; operators also see each signal in the logs.

A signal seen again only moves `last_seen_at` (at most once a minute per row, so a poll that sees it on
every call writes once); a different signal replaces the row's text and call and starts a new
`first_seen_at`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from orderguard.core.models import PlatformSignal

logger = logging.getLogger(__name__)

TOUCH_EVERY = timedelta(minutes=1)


def platform_signal_record(*, shop_id: int, platform: str, signal: str, call: str, now: datetime | None = None) -> None:
    """Store (or refresh) the shop's latest signal from `platform`. Never raises: a signal is a notice,
    and the call that carried it succeeded."""
    now = now or timezone.now()
    signal, call = signal[:300], call[:120]
    try:
        with transaction.atomic():
            touched = PlatformSignal.objects.filter(shop_id=shop_id, platform=platform, signal=signal).filter(
                last_seen_at__lt=now - TOUCH_EVERY
            ).update(last_seen_at=now, call=call, times_seen=F("times_seen") + 1)
            if touched or PlatformSignal.objects.filter(shop_id=shop_id, platform=platform, signal=signal).exists():
                return
            replaced = PlatformSignal.objects.filter(shop_id=shop_id, platform=platform).update(
                signal=signal, call=call, first_seen_at=now, last_seen_at=now, times_seen=1
            )
            if not replaced:
                PlatformSignal.objects.create(shop_id=shop_id, platform=platform, signal=signal, call=call, first_seen_at=now, last_seen_at=now)
    except IntegrityError:
        pass  # another worker stored the same shop's first signal at the same moment
    except Exception:  # noqa: BLE001 - the page notice must never fail the call that carried it
        logger.exception("Could not store the %s deprecation signal for shop %s", platform, shop_id)


def platform_signal_listener(*, shop_id: int, platform: str) -> Callable[[str, str], None]:
    """What a factory hands its client: records each signal for this shop."""

    def listen(signal: str, call: str) -> None:
        platform_signal_record(shop_id=shop_id, platform=platform, signal=signal, call=call)

    return listen


def platform_signals_of(*, shop_id: int) -> list[PlatformSignal]:
    return list(PlatformSignal.objects.filter(shop_id=shop_id).order_by("platform"))


def platform_signals_all() -> list[PlatformSignal]:
    return list(PlatformSignal.objects.select_related("shop").order_by("shop__domain", "platform"))
