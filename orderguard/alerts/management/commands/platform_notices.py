"""`python manage.py platform_notices [--shop <shop>] [--json]`: the platform versions in use, their end of
support, the deprecation signals responses carried (per shop), and the notices."""

from __future__ import annotations

import json
import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orderguard.alerts.platform import platform_notices, signal_notice
from orderguard.core import platform_versions
from orderguard.core.platform_signals import platform_signals_all
from orderguard.shops.selectors import shop_by_domain_or_handle

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Show the Shopify and Meta API versions in use, when their support ends, deprecation signals and any notice."

    def add_arguments(self, parser):
        parser.add_argument("--shop", help="Only this shop's deprecation signals (handle or domain).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of text.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        signals = platform_signals_all()
        if options["shop"]:
            shop = shop_by_domain_or_handle(value=options["shop"])
            if shop is None:
                raise CommandError(f"No shop named {options['shop']!r}.")
            signals = [signal for signal in signals if signal.shop_id == shop.pk]
        notices = platform_notices(today=today)
        for notice in notices:
            logger.warning("Platform notice: %s", notice.text)
        for signal in signals:
            logger.warning("Platform deprecation signal for %s: %s %s on %s", signal.shop.domain, signal.platform, signal.signal, signal.call)
        if options["json"]:
            self.stdout.write(json.dumps(self._json(today, notices, signals), indent=2))
            return
        for version in platform_versions.versions_in_use():
            if version is not None:
                days = (version.supported_until - today).days
                self.stdout.write(f"{version.platform} {version.version}: supported until {version.supported_until} ({days} days; {version.source})")
        for notice in notices:
            self.stdout.write(self.style.WARNING(f"NOTICE {notice.text}"))
        for signal in signals:
            self.stdout.write(self.style.WARNING(f"NOTICE {signal.shop.domain}: {signal_notice(signal).text}"))
        if not notices and not signals:
            self.stdout.write("No platform notices.")

    @staticmethod
    def _json(today, notices, signals) -> dict:
        return {
            "versions": [
                {"platform": v.platform, "version": v.version, "supported_until": v.supported_until.isoformat(),
                 "days_left": (v.supported_until - today).days, "source": v.source}
                for v in platform_versions.versions_in_use() if v is not None
            ],
            "notices": [{"platform": n.platform, "kind": n.kind, "text": n.text} for n in notices],
            "deprecation_signals": [
                {"shop": s.shop.domain, "platform": s.platform, **signal_notice(s).details, "text": signal_notice(s).text} for s in signals
            ],
        }
