"""Platform notices for the page and for operators: a platform version in use nears its end of support
(orderguard/core/platform_versions.py), or a response carried a deprecation signal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from orderguard.core import platform_versions
from orderguard.core.models import PlatformSignal
from orderguard.core.platform_signals import platform_signals_of
from orderguard.shops.models import Shop

PLATFORM_NAMES = {"shopify": "Shopify", "meta": "Meta Graph"}


@dataclass(frozen=True)
class PlatformNotice:
    platform: str
    text: str
    # "version" (end of support nears) or "deprecation_signal" (a response said so); a signal's facts.
    kind: str = "version"
    details: dict = field(default_factory=dict)


def platform_notices(*, today: date | None = None) -> list[PlatformNotice]:
    today = today or timezone.localdate()
    notices = [
        PlatformNotice(
            v.platform,
            _("OrderGuard uses the %(platform)s API version %(version)s, supported until %(date)s; an update of OrderGuard moves to a newer one.")
            % {"platform": PLATFORM_NAMES[v.platform], "version": v.version, "date": v.supported_until.isoformat()},
        )
        for v in platform_versions.versions_ending(today=today)
    ]
    notices += [PlatformNotice("unknown", _("No end-of-support date is known for %(version)s.") % {"version": name}) for name in platform_versions.unknown_versions()]
    return notices


def signal_notice(signal: PlatformSignal) -> PlatformNotice:
    """A stored deprecation signal in words (in the active language)."""
    text = _(
        "A %(platform)s response to OrderGuard's call %(call)s said it uses something deprecated: %(signal)s "
        "(first seen %(first)s, last seen %(last)s). Nothing stops working yet; an update of OrderGuard replaces it."
    ) % {
        "platform": PLATFORM_NAMES.get(signal.platform, signal.platform), "call": signal.call or "?", "signal": signal.signal,
        "first": f"{signal.first_seen_at:%Y-%m-%d %H:%M} UTC", "last": f"{signal.last_seen_at:%Y-%m-%d %H:%M} UTC",
    }
    details = {
        "signal": signal.signal, "call": signal.call, "first_seen_at": signal.first_seen_at.isoformat(),
        "last_seen_at": signal.last_seen_at.isoformat(), "times_seen": signal.times_seen,
    }
    return PlatformNotice(signal.platform, text, kind="deprecation_signal", details=details)


def platform_notices_for(*, shop: Shop, today: date | None = None) -> list[PlatformNotice]:
    """What the settings page shows this shop: the versions nearing their end (one deployment, one
    version), and the deprecation signals this shop's responses carried."""
    return platform_notices(today=today) + [signal_notice(signal) for signal in platform_signals_of(shop_id=shop.pk)]
