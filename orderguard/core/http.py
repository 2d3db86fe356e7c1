"""Typed requests for views (django-stubs style): what the middleware stack guarantees to be present."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class AppRequest(HttpRequest):
    """A request to the embedded app: the ID token was verified and the shop installed.

    core sits below the tenant, so the shop and the claims are typed loosely here: `shop` is a
    `shops.models.Shop` and `id_token_claims` the verified token's claims (shops.middleware sets both).
    """

    htmx: HtmxDetails
    shop: Any
    id_token_claims: Any
