"""The platform API versions OrderGuard uses and when their support ends: the one table to update.

Sources:
- Shopify: "each stable version is supported for a minimum of 12 months" after its release (released
  quarterly: January, April, July, October). https://shopify.dev/docs/api/usage/versioning
- Meta Graph API: "each version is guaranteed to operate for at least 2 years" after its release.
  https://developers.facebook.com/docs/graph-api/guides/versioning (v25.0: released 2026-02; the end
  date is that guarantee, Meta's changelog gives the exact day once announced).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

# Warn this long before a version's support ends: one quarter, time for one upgrade release.
WARN_BEFORE = timedelta(days=90)


@dataclass(frozen=True)
class PlatformVersion:
    platform: str
    version: str
    released: date
    supported_until: date
    source: str


VERSIONS: dict[tuple[str, str], PlatformVersion] = {
    ("shopify", "2026-07"): PlatformVersion("shopify", "2026-07", date(2026, 7, 1), date(2027, 7, 1), "shopify.dev versioning: 12 months"),
    ("shopify", "2026-10"): PlatformVersion("shopify", "2026-10", date(2026, 10, 1), date(2027, 10, 1), "shopify.dev versioning: 12 months"),
    ("meta", "v24.0"): PlatformVersion("meta", "v24.0", date(2025, 10, 8), date(2027, 10, 8), "Graph API versioning: 2 years"),
    ("meta", "v25.0"): PlatformVersion("meta", "v25.0", date(2026, 2, 18), date(2028, 2, 18), "Graph API versioning: 2 years"),
}


def versions_in_use() -> list[PlatformVersion | None]:
    """The versions this deployment calls (None for a version missing from the table: that is a notice too)."""
    return [VERSIONS.get(("shopify", settings.SHOPIFY_API_VERSION)), VERSIONS.get(("meta", settings.META_GRAPH_API_VERSION))]


def versions_ending(*, today: date) -> list[PlatformVersion]:
    """Versions in use whose support ends within WARN_BEFORE (or has ended)."""
    return [v for v in versions_in_use() if v is not None and v.supported_until - today <= WARN_BEFORE]


def unknown_versions() -> list[str]:
    used = {("shopify", settings.SHOPIFY_API_VERSION), ("meta", settings.META_GRAPH_API_VERSION)}
    return sorted(f"{platform} {version}" for platform, version in used if (platform, version) not in VERSIONS)
