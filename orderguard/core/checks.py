"""Start-up checks: configuration errors surface at boot, not at the first webhook."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from orderguard.core import crypto


@register()
def token_keys_check(app_configs, **kwargs):
    try:
        crypto.current_cipher()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="orderguard.E001")]
    return []


@register()
def shopify_credentials_check(app_configs, **kwargs):
    if not settings.SHOPIFY_API_KEY or not settings.SHOPIFY_API_SECRET:
        return [Error("SHOPIFY_API_KEY and SHOPIFY_API_SECRET are required.", id="orderguard.E002")]
    return []
