"""Shop lifecycle: install (token exchange), Admin API access, details, scopes, uninstall.

Views, webhooks and tasks call these; they own the Shop and OfflineToken rows.
"""

from __future__ import annotations

import logging

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orderguard.integrations.shopify.auth import IdTokenClaims, InvalidIdToken
from orderguard.integrations.shopify.errors import InvalidSubjectToken, ShopifyError, TokenEndpointError
from orderguard.shops.exceptions import ShopifyUnavailable, ShopSessionInvalid, ShopUnavailable
from orderguard.shops.models import OfflineToken, Shop
from orderguard.shops.clients import shopify_admin_client
from orderguard.shops.shopify_app import shopify_id_token_verify, shopify_token_exchange
from orderguard.shops.tasks import sync_shop_details_task
from orderguard.shops.tokens import offline_token_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShopSession:
    """Who an app request is for: the installed shop and the verified ID token's claims."""

    shop: Shop
    claims: IdTokenClaims


def shop_session_start(*, id_token: str) -> ShopSession:
    """Verify an App Bridge ID token and authenticate its shop (installing it when needed).

    Raises ShopSessionInvalid (a fresh token is needed) or ShopifyUnavailable (the token exchange failed).
    """
    try:
        claims = shopify_id_token_verify(token=id_token)
    except InvalidIdToken as error:
        raise ShopSessionInvalid(error.code) from None
    return ShopSession(shop=shop_authenticate(claims=claims), claims=claims)


def shop_authenticate(*, claims: IdTokenClaims) -> Shop:
    """The installed shop for a verified ID token, installing it first when needed.

    Managed installation: Shopify installs the app and opens it; the first request that reaches us with
    an ID token exchanges it for the offline token. The same happens when the merchant reopens the app
    after an uninstall or a refused refresh token. Raises ShopSessionInvalid or ShopifyUnavailable.
    """
    shop = Shop.objects.filter(domain=claims.shop_domain).first()
    if shop is not None and shop.is_active and OfflineToken.objects.filter(shop=shop).exists():
        return shop
    return shop_install(claims=claims)


def shop_install(*, claims: IdTokenClaims) -> Shop:
    try:
        grant = shopify_token_exchange(claims=claims)
    except InvalidSubjectToken as error:
        raise ShopSessionInvalid(error.code) from None
    except TokenEndpointError as error:
        raise ShopifyUnavailable(
            _("OrderGuard could not finish connecting to your shop. Nothing was lost; reload the page in a minute to try again."),
            detail=error.code, retryable=error.retryable,
        ) from None
    now = timezone.now()
    with transaction.atomic():
        shop = _shop_get_or_create(domain=claims.shop_domain)
        if not shop.is_active or shop.installed_at is None:
            shop.installed_at = now
        shop.status = Shop.Status.ACTIVE
        shop.uninstalled_at = None
        shop.scopes = grant.scope
        shop.save()
        offline_token_store(shop=shop, grant=grant)
    logger.info("Installed OrderGuard on %s (scopes: %s)", shop.domain, grant.scope)
    # Shopify's afterAuth moment: learn the shop's name and currency once, now. A failure here must not
    # fail the install; the task retries it.
    try:
        shop_sync_details(shop=shop)
    except (ShopifyError, ShopUnavailable):
        logger.warning("Could not fetch the details of %s at install; retrying in the background", shop.domain)
        sync_shop_details_task.delay_on_commit(shop_id=shop.pk)
    return shop


def _shop_get_or_create(*, domain: str) -> Shop:
    try:
        with transaction.atomic():
            shop, _created = Shop.objects.get_or_create(domain=domain)
            return shop
    except IntegrityError:  # a concurrent first request created it
        return Shop.objects.get(domain=domain)


def shop_sync_details(*, shop: Shop) -> Shop:
    """Fetch name, currency, timezone and contact email through the Admin GraphQL API and store them.

    Raises ShopUnavailable, and the client's ShopifyError as it is: the background task retries on its
    transient kinds. The merchant's button goes through shop_details_refresh.
    """
    details = shopify_admin_client(shop=shop).shop_details()
    shop.name = details.name
    shop.currency_code = details.currency_code
    shop.iana_timezone = details.iana_timezone
    shop.primary_domain_url = details.primary_domain_url
    shop.contact_email = details.contact_email[:254]
    shop.details_synced_at = timezone.now()
    shop.save(update_fields=["name", "currency_code", "iana_timezone", "primary_domain_url", "contact_email", "details_synced_at", "updated_at"])
    return shop


def shop_details_refresh(*, shop: Shop) -> Shop:
    """The merchant asked to fetch the shop's details again. Raises ShopUnavailable or ShopifyUnavailable."""
    try:
        return shop_sync_details(shop=shop)
    except ShopifyError as error:
        raise ShopifyUnavailable(detail=str(error)) from None


def shop_scopes_refresh(*, shop: Shop) -> Shop:
    """Record the scopes the shop grants the app now, as Shopify reads them: called when App Bridge's grant
    dialog answers, so the page can go on at once instead of waiting for the app/scopes_update webhook.
    Raises ShopifyUnavailable."""
    try:
        scopes = shopify_admin_client(shop=shop).granted_scopes()
    except ShopifyError as error:
        raise ShopifyUnavailable(detail=str(error)) from None
    if not scopes:  # an installed app always holds scopes: an empty answer is odd, not a revocation of all
        raise ShopifyUnavailable(detail="currentAppInstallation.accessScopes answered no scopes")
    shop.scopes = ",".join(scopes)
    Shop.objects.filter(pk=shop.pk).update(scopes=shop.scopes)
    return shop


def shop_scopes_update(*, shop_domain: str, payload: dict) -> str:
    current = payload.get("current")
    if not isinstance(current, list):
        return "ignored: no current scopes in payload"
    updated = Shop.objects.filter(domain=shop_domain).update(scopes=",".join(str(scope) for scope in current))
    return "scopes updated" if updated else "ignored: unknown shop"


def shop_uninstall(*, shop_domain: str) -> str:
    """Revoke our tokens and stop all work for the shop. Safe to call twice, or after a reinstall.

    The shop header of a webhook is not signed, so before acting we ask Shopify: if our token still
    works, the app is installed (a replayed or stale delivery) and nothing changes.
    """
    shop = Shop.objects.filter(domain=shop_domain).first()
    if shop is None or shop.status == Shop.Status.UNINSTALLED:
        return "ignored: already uninstalled"
    if _app_still_installed(shop=shop):
        return "ignored: the app is still installed"
    with transaction.atomic():
        OfflineToken.objects.filter(shop=shop).delete()
        Shop.objects.filter(pk=shop.pk).update(status=Shop.Status.UNINSTALLED, uninstalled_at=timezone.now())
    logger.info("Uninstalled OrderGuard from %s", shop.domain)
    return "uninstalled"


def _app_still_installed(*, shop: Shop) -> bool:
    try:
        return shopify_admin_client(shop=shop).app_is_installed()
    except ShopUnavailable:
        return False
    except TokenEndpointError as error:
        if error.retryable:
            raise
        return False  # invalid_client: Shopify no longer knows the app on this shop
