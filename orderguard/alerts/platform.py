"""Platform notices for the page and for operators: a platform version in use nears its end of support
(orderguard/core/platform_versions.py), or a response carried a deprecation signal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from orderguard.core import platform_versions
from orderguard.shops.models import Shop

PLATFORM_NAMES = {"shopify": "Shopify", "meta": "Meta Graph"}


@dataclass(frozen=True)
class PlatformNotice:
    platform: str
    text: str


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


def platform_notices_for(*, shop: Shop, today: date | None = None) -> list[PlatformNotice]:
    """What the settings page shows this shop (the same for every shop today: one deployment, one version)."""
    return platform_notices(today=today)
