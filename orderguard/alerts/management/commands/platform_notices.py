"""`python manage.py platform_notices`: the platform versions in use, their end of support, and notices."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand
from django.utils import timezone

from orderguard.alerts.platform import platform_notices
from orderguard.core import platform_versions

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Show the Shopify and Meta API versions in use, when their support ends, and any notice."

    def handle(self, *args, **options):
        today = timezone.localdate()
        for version in platform_versions.versions_in_use():
            if version is not None:
                days = (version.supported_until - today).days
                self.stdout.write(f"{version.platform} {version.version}: supported until {version.supported_until} ({days} days; {version.source})")
        notices = platform_notices(today=today)
        for notice in notices:
            logger.warning("Platform notice: %s", notice.text)
            self.stdout.write(self.style.WARNING(f"NOTICE {notice.text}"))
        if not notices:
            self.stdout.write("No platform notices.")
