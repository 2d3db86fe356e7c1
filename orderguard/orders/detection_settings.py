"""The detection settings a shop's orders are classified with: the engine's defaults, with what the
merchant chose on the Settings page (orderguard.shops.preferences). Read at each poll, so a change takes
effect at the next one."""

from __future__ import annotations

from datetime import timedelta

from orderguard.reconciliation.engine import DetectionSettings
from orderguard.shops.models import Shop
from orderguard.shops.preferences import shop_preferences


def detection_settings_for(*, shop: Shop) -> DetectionSettings:
    preferences = shop_preferences(shop=shop)
    return DetectionSettings(grace=timedelta(minutes=preferences.grace_minutes))
