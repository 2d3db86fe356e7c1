"""Verifying what Shopify sends us: App Bridge ID tokens and webhook signatures; shop domains."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

from shopify_app import ShopifyApp

# Anchored at both ends: "x.myshopify.com.evil.tld" must not pass (Shopify's WEAK_SHOP_VALIDATION check).
SHOP_DOMAIN_RE = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")

# Shopify's Python library required these; the new package does not. A token without `sid` or `jti` is
# not one App Bridge minted.
REQUIRED_CLAIMS = ("iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid")

# Claims used as text; `aud` may be a list by the JWT spec (shopifyapp checks it).
STRING_CLAIMS = ("iss", "dest", "sub", "jti", "sid")
# exp beyond this is no real token (and past what datetime can hold on some platforms).
MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z

# Any longer header is not a Shopify ID token and is refused before any parsing.
MAX_TOKEN_LENGTH = 4096


class InvalidIdToken(Exception):
    """The ID token is missing, forged, expired or for another app or shop. `code` says which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IdTokenClaims:
    shop_domain: str
    user_id: str
    session_id: str
    expires_at: datetime
    token: str  # kept only for token exchange; never logged or stored

    def __repr__(self) -> str:  # the token must not end up in logs or error pages
        return f"IdTokenClaims(shop_domain={self.shop_domain!r}, user_id={self.user_id!r})"


def normalize_shop_domain(value: object) -> str | None:
    """The shop's myshopify domain in lower case, or None if `value` is not exactly one."""
    if not isinstance(value, str):
        return None
    candidate = value.strip().lower()
    if SHOP_DOMAIN_RE.fullmatch(candidate):
        return candidate
    return None


def normalize_shop_handle_or_domain(value: object) -> str | None:
    """Like normalize_shop_domain, also accepting the handle alone: `maple-and-moss` ->
    `maple-and-moss.myshopify.com` (what operators type on the command line)."""
    if not isinstance(value, str):
        return None
    candidate = value.strip().lower()
    return normalize_shop_domain(candidate if "." in candidate else f"{candidate}.myshopify.com")


def shop_domain_from_url(value: object) -> str | None:
    """`https://x.myshopify.com` (the `dest` claim) -> `x.myshopify.com`; anything else -> None."""
    if not isinstance(value, str):
        return None
    parsed = urlparse(value)
    if parsed.scheme != "https" or parsed.path not in ("", "/") or parsed.query or parsed.params:
        return None
    if parsed.username or parsed.password or parsed.port:
        return None
    return normalize_shop_domain(parsed.hostname)


def verify_id_token(token: str, *, client_id: str, secret: str, previous_secret: str = "") -> IdTokenClaims:
    """Verify an App Bridge ID token as Shopify's libraries do, and a little more.

    shopifyapp checks the HS256 signature (current and previous secret), exp/nbf with 10 s of leeway and
    `aud`. On top: every standard claim present, `dest` a valid shop URL, and `iss` the admin of that same
    shop. The shop is taken from `dest` only.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidIdToken("missing_or_oversized")
    app = ShopifyApp(client_id=client_id, client_secret=secret, old_client_secret=previous_secret or None)
    try:
        result = app.verify_app_home_req(
            {"method": "GET", "headers": {"authorization": f"Bearer {token}"}, "url": "https://app.invalid/", "body": ""},
            app_home_patch_id_token_path="/auth/patch-id-token",
        )
    except (AttributeError, TypeError, ValueError, OverflowError):
        # shopifyapp assumes claim types once the signature holds (a list `dest` raises AttributeError, a
        # number `iss` TypeError): a malformed token, refused like any other bad token.
        raise InvalidIdToken("malformed_claims") from None
    if not result.ok or result.id_token is None:
        raise InvalidIdToken(result.log.code)
    claims = result.id_token.claims
    missing = [name for name in REQUIRED_CLAIMS if claims.get(name) in (None, "")]
    if missing:
        raise InvalidIdToken("missing_claims")
    if not all(isinstance(claims[name], str) for name in STRING_CLAIMS) or not _timestamp(claims["exp"]):
        raise InvalidIdToken("malformed_claims")
    shop_domain = shop_domain_from_url(claims["dest"])
    if shop_domain is None:
        raise InvalidIdToken("invalid_dest")
    if claims["iss"] != f"https://{shop_domain}/admin":
        raise InvalidIdToken("iss_dest_mismatch")
    return IdTokenClaims(
        shop_domain=shop_domain,
        user_id=str(claims["sub"]),
        session_id=str(claims["sid"]),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=UTC),
        token=token,
    )


def _timestamp(value: object) -> bool:
    """A JWT NumericDate we can turn into a datetime (bool is an int in Python, and no date)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= MAX_TIMESTAMP


def webhook_signature(body: bytes, secret: str) -> str:
    """The value Shopify puts in X-Shopify-Hmac-Sha256 for `body`."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_webhook_signature(body: bytes, signature: str | None, *, secrets: Sequence[str]) -> bool:
    """HMAC-SHA256 over the raw body, compared in constant time as bytes.

    Written here rather than taken from shopifyapp, whose check compares str values (a non-ASCII header
    raises TypeError there) and needs the body decoded to text first.
    """
    if not signature or len(signature) > 128:
        return False
    try:
        received = base64.b64decode(signature.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return False
    if len(received) != hashlib.sha256().digest_size:
        return False
    valid = False
    for secret in secrets:
        if secret:
            expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
            valid |= hmac.compare_digest(received, expected)
    return valid
