"""The sandbox's /admin/oauth/access_token: token exchange and refresh, with Shopify's behaviour.

- Token exchange (expiring=1): a 1-hour access token and a 90-day refresh token.
- Refresh: a new access token and a new refresh token (rotation). The previous refresh token stays usable
  until its replacement is first used (Shopify's behaviour since 2026-08).
- Errors: invalid_client (wrong credentials, app not installed), invalid_subject_token (stale or forged
  ID token), invalid_grant (unknown, expired or revoked refresh token).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import jwt
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orderguard.sandbox.models import SandboxShop, SandboxToken

ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
REFRESH_TOKEN_LIFETIME = timedelta(days=90)

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
REFRESH = "refresh_token"


class TokenError(Exception):
    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def grant(*, shop_domain: str, body: dict) -> dict:
    if body.get("client_id") != settings.SHOPIFY_API_KEY or body.get("client_secret") != settings.SHOPIFY_API_SECRET:
        raise TokenError("invalid_client", "Client credentials are invalid.", 401)
    shop = SandboxShop.objects.filter(domain=shop_domain).first()
    if shop is None or not shop.app_installed:
        raise TokenError("invalid_client", "The app is not installed on this shop.", 401)
    grant_type = body.get("grant_type")
    if grant_type == TOKEN_EXCHANGE:
        return _exchange(shop, body)
    if grant_type == REFRESH:
        return _refresh(shop, str(body.get("refresh_token") or ""))
    raise TokenError("unsupported_grant_type", f"Unsupported grant_type {grant_type!r}.")


def revoke_all(shop: SandboxShop) -> None:
    SandboxToken.objects.filter(shop=shop, revoked_at__isnull=True).update(revoked_at=timezone.now())


def access_token_scopes(*, shop: SandboxShop, value: str) -> set[str] | None:
    """The scopes of a live access token of `shop`, or None if the token is unknown, expired or revoked."""
    token = SandboxToken.objects.filter(shop=shop, kind=SandboxToken.Kind.ACCESS, value=value, revoked_at__isnull=True).first()
    if token is None or (token.expires_at is not None and token.expires_at <= timezone.now()):
        return None
    return {scope.strip() for scope in token.scope.split(",") if scope.strip()}


def _exchange(shop: SandboxShop, body: dict) -> dict:
    try:
        claims = jwt.decode(
            str(body.get("subject_token") or ""),
            settings.SHOPIFY_API_SECRET,
            algorithms=["HS256"],
            audience=settings.SHOPIFY_API_KEY,
            leeway=10,
        )
    except jwt.PyJWTError:
        raise TokenError("invalid_subject_token", "The subject token is invalid or expired.") from None
    if claims.get("dest") != f"https://{shop.domain}":
        raise TokenError("invalid_subject_token", "The subject token is for another shop.")
    if body.get("requested_token_type") != "urn:shopify:params:oauth:token-type:offline-access-token":
        raise TokenError("invalid_request", "The sandbox issues offline access tokens only.")
    expiring = str(body.get("expiring", "0")) == "1"
    return _issue(shop, expiring=expiring)


def _refresh(shop: SandboxShop, value: str) -> dict:
    now = timezone.now()
    with transaction.atomic(using="sandbox"):
        token = (
            SandboxToken.objects.select_for_update()
            .filter(shop=shop, kind=SandboxToken.Kind.REFRESH, value=value, revoked_at__isnull=True)
            .first()
        )
        if token is None or (token.expires_at is not None and token.expires_at <= now):
            raise TokenError("invalid_grant", "The refresh token is invalid, expired or revoked.")
        # Its first use retires every older refresh token of the shop.
        if token.used_at is None:
            SandboxToken.objects.filter(
                shop=shop, kind=SandboxToken.Kind.REFRESH, created_at__lt=token.created_at, revoked_at__isnull=True
            ).update(revoked_at=now)
        SandboxToken.objects.filter(pk=token.pk).update(used_at=now)
        return _issue(shop, expiring=True)


def _issue(shop: SandboxShop, *, expiring: bool) -> dict:
    now = timezone.now()
    scope = shop.granted_scopes
    access = SandboxToken.objects.create(
        shop=shop,
        kind=SandboxToken.Kind.ACCESS,
        value=f"shpat_{secrets.token_hex(16)}",
        scope=scope,
        expires_at=now + ACCESS_TOKEN_LIFETIME if expiring else None,
    )
    response = {"access_token": access.value, "scope": scope}
    if expiring:
        refresh = SandboxToken.objects.create(
            shop=shop,
            kind=SandboxToken.Kind.REFRESH,
            value=f"shprt_{secrets.token_hex(16)}",
            scope=scope,
            expires_at=now + REFRESH_TOKEN_LIFETIME,
        )
        response.update(
            expires_in=int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            refresh_token=refresh.value,
            refresh_token_expires_in=int(REFRESH_TOKEN_LIFETIME.total_seconds()),
        )
    return response


def optional_scopes_grant(*, shop: SandboxShop, scopes: list[str]) -> str:
    """The merchant approved optional scopes (App Bridge's scopes.request): Shopify adds them to the
    app's grant and to its live tokens at once (no new token). Returns the granted scopes."""
    granted = [scope.strip() for scope in shop.granted_scopes.split(",") if scope.strip()]
    granted += [scope for scope in scopes if scope and scope not in granted]
    shop.granted_scopes = ",".join(granted)
    shop.save(update_fields=["granted_scopes"])
    SandboxToken.objects.filter(shop=shop, kind=SandboxToken.Kind.ACCESS, revoked_at__isnull=True).update(scope=shop.granted_scopes)
    return shop.granted_scopes
