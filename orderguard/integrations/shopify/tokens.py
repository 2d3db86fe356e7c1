"""Token exchange and refresh for expiring offline access tokens, through shopifyapp.

https://shopify.dev/docs/apps/build/authentication-authorization/get-access-tokens/exchange-tokens
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from shopify_app import ShopifyApp, TokenExchangeResult

from orderguard.integrations.shopify.auth import IdTokenClaims
from orderguard.integrations.shopify.errors import InvalidGrant, InvalidSubjectToken, TokenEndpointError

_RETRYABLE_CODES = {"network_error", "rate_limit_exceeded", "rate_limited"}


@dataclass(frozen=True)
class OfflineTokenGrant:
    access_token: str
    scope: str
    expires_at: datetime | None
    refresh_token: str | None
    refresh_token_expires_at: datetime | None

    def __repr__(self) -> str:  # never print the tokens
        return f"OfflineTokenGrant(scope={self.scope!r}, expires_at={self.expires_at!r})"


def exchange_id_token(
    *, claims: IdTokenClaims, client_id: str, secret: str, http_client: httpx.Client
) -> OfflineTokenGrant:
    """Exchange a verified ID token for an expiring offline access token (`expiring=1`)."""
    app = ShopifyApp(client_id=client_id, client_secret=secret)
    result = app.exchange_using_token_exchange(
        "offline",
        id_token={"exchangeable": True, "token": claims.token, "claims": {"dest": f"https://{claims.shop_domain}"}},
        expiring=True,
        http_client=http_client,
    )
    return _grant_or_raise(result)


def refresh_offline_token(
    *, shop_domain: str, refresh_token: str, client_id: str, secret: str, http_client: httpx.Client
) -> OfflineTokenGrant:
    """Trade a refresh token for a new access token and a new (rotated) refresh token.

    The caller decides when a refresh is due; shopifyapp would skip the call while more than 60 s remain,
    so it is given no expiry to compare against.
    """
    app = ShopifyApp(client_id=client_id, client_secret=secret)
    result = app.refresh_token_exchanged_access_token(
        {
            "shop": shop_domain.removesuffix(".myshopify.com"),
            "refresh_token": refresh_token,
            "expires": "",
            "refresh_token_expires": "",
            "access_mode": "offline",
            "user": None,
        },
        http_client=http_client,
    )
    return _grant_or_raise(result)


def _grant_or_raise(result: TokenExchangeResult) -> OfflineTokenGrant:
    if result.ok and result.access_token is not None and result.access_token.token:
        token = result.access_token
        return OfflineTokenGrant(
            access_token=token.token,
            scope=token.scope or "",
            expires_at=_parse_time(token.expires),
            refresh_token=token.refresh_token or None,
            refresh_token_expires_at=_parse_time(token.refresh_token_expires),
        )
    code = result.log.code
    if code == "invalid_subject_token":
        raise InvalidSubjectToken(code)
    if code in ("invalid_grant", "refresh_token_expired"):
        raise InvalidGrant(code)
    raise TokenEndpointError(code, retryable=code in _RETRYABLE_CODES or code.startswith("http_error_5"))


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
