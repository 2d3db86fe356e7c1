"""The shop's offline token: storing a grant, and handing out a fresh access token.

Refreshes are serialised per shop: the token row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers) and re-read, so concurrent web requests and workers refresh once
and everyone gets the rotated pair, which is written in one statement.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orderguard.core.crypto import TokenDecryptionError
from orderguard.integrations.shopify.errors import InvalidGrant
from orderguard.integrations.shopify.tokens import OfflineTokenGrant
from orderguard.shops.exceptions import ShopCredentialsUnreadable, ShopNeedsReauth, ShopNotInstalled
from orderguard.shops.models import OfflineToken, Shop
from orderguard.shops.shopify_app import shopify_token_refresh

logger = logging.getLogger(__name__)


def offline_token_store(*, shop: Shop, grant: OfflineTokenGrant) -> OfflineToken:
    """Save a freshly issued token pair for `shop`, replacing the previous one."""
    token, _ = OfflineToken.objects.update_or_create(
        shop=shop,
        defaults={
            "access_token": grant.access_token,
            "expires_at": grant.expires_at,
            "refresh_token": grant.refresh_token,
            "refresh_token_expires_at": grant.refresh_token_expires_at,
            "scope": grant.scope,
        },
    )
    return token


def shop_access_token(*, shop: Shop) -> str:
    """A usable Admin API access token for `shop`, refreshed first when it is about to expire.

    Raises ShopNotInstalled (no token), ShopNeedsReauth (Shopify refused the refresh token) or
    ShopCredentialsUnreadable (no configured key decrypts the stored token: fail closed).
    """
    try:
        return _fresh_access_token(shop=shop)
    except TokenDecryptionError:
        logger.error("The stored token of %s cannot be decrypted with TOKEN_ENCRYPTION_KEYS", shop.domain)
        raise ShopCredentialsUnreadable(shop.domain) from None


def _fresh_access_token(*, shop: Shop) -> str:
    token = OfflineToken.objects.filter(shop=shop).first()
    if token is None:
        raise ShopNotInstalled(shop.domain)
    if not _refresh_due(token):
        return token.access_token

    refused = False
    with transaction.atomic():
        token = OfflineToken.objects.select_for_update().filter(shop=shop).first()
        if token is None:
            raise ShopNotInstalled(shop.domain)
        if not _refresh_due(token):  # another request or worker refreshed while we waited for the lock
            return token.access_token
        if not token.refresh_token:
            refused = True
        else:
            try:
                grant = shopify_token_refresh(shop_domain=shop.domain, refresh_token=token.refresh_token)
            except InvalidGrant:
                refused = True
            else:
                offline_token_store(shop=shop, grant=grant)
                logger.info("Refreshed the offline token of %s", shop.domain)
                return grant.access_token
    # Outside the transaction, so the state change is not rolled back with it.
    if refused:
        Shop.objects.filter(pk=shop.pk).update(status=Shop.Status.NEEDS_REAUTH)
        logger.warning("Shopify refused the refresh token of %s; the merchant must reopen the app", shop.domain)
    raise ShopNeedsReauth(shop.domain)


def _refresh_due(token: OfflineToken) -> bool:
    if token.expires_at is None:  # a legacy non-expiring token
        return False
    margin = timedelta(seconds=settings.SHOPIFY_TOKEN_REFRESH_MARGIN_SECONDS)
    return token.expires_at - margin <= timezone.now()
