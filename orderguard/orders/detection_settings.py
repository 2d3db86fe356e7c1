"""The detection settings a shop's orders are classified with: the engine's defaults, with what the
merchant chose on the Settings page (orderguard.shops.preferences). Read at each poll, so a change takes
effect at the next one."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from orderguard.reconciliation.engine import DetectionSettings
from orderguard.shops.models import Shop
from orderguard.shops.preferences import shop_preferences


def detection_settings_for(*, shop: Shop) -> DetectionSettings:
    preferences = shop_preferences(shop=shop)
    return DetectionSettings(
        grace=timedelta(minutes=preferences.grace_minutes),
        auto_cancel_warning=timedelta(days=preferences.auto_cancel_warning_days),
        auto_cancel_imminent=timedelta(days=settings.AUTO_CANCEL_IMMINENT_DAYS),
    )
