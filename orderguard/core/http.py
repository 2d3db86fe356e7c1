"""Typed requests for views (django-stubs style): what the middleware stack guarantees to be present."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from orderguard.integrations.shopify.auth import IdTokenClaims
    from orderguard.shops.models import Shop


class AppRequest(HttpRequest):
    """A request to the embedded app: the ID token was verified and the shop installed."""

    htmx: HtmxDetails
    shop: Shop
    id_token_claims: IdTokenClaims
