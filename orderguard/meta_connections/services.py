"""Connecting a shop to its Meta commerce account, and keeping the connection's state true.

A connection is only stored after Meta confirmed the token (/debug_token): valid, for our app, with an
order-reading permission that covers the commerce account. Client errors become state here: a 190 or a
permission error marks the connection broken (the merchant must reconnect) and stops polling; a throttle
stores the time before which nobody may call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderguard.core.exceptions import ApplicationError, ConnectionRejected, PlatformUnavailable
from orderguard.integrations.meta.errors import MetaAuthError, MetaError, MetaPermissionError, MetaThrottledError, MetaTransientError
from orderguard.meta_connections.clients import meta_graph_client
from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.signals import commerce_account_changed
from orderguard.shops.models import Shop

logger = logging.getLogger(__name__)

ORDER_READ_SCOPES = ("commerce_account_read_orders", "commerce_account_manage_orders")


class MetaConnectionRejected(ConnectionRejected):
    """The token or account cannot be used; `message` says why, for the merchant."""


class MetaUnavailable(PlatformUnavailable):
    """Meta could not be reached or failed on its side. `detail` is what Meta said (no token in it)."""

    def __init__(self, error: MetaError):
        super().__init__(
            _("Meta could not be reached. Nothing was changed; try again in a minute."),
            code="meta_unavailable", retryable=not isinstance(error, (MetaAuthError, MetaPermissionError)), detail=str(error),
        )


class MetaLoginIncomplete(ApplicationError):
    """Facebook Login could not be completed (the code was refused, or a Graph call failed)."""

    def __init__(self, error: MetaError):
        reason = error.message or "unknown error"
        super().__init__(
            _("Facebook did not complete the login (%(reason)s). Try again.") % {"reason": reason},
            code="meta_login_incomplete", retryable=isinstance(error, MetaTransientError), detail=reason,
        )


def meta_connection_connect(
    *,
    shop: Shop,
    commerce_account_id: str,
    access_token: str,
    source: str,
    page_id: str = "",
    page_name: str = "",
) -> MetaConnection:
    """Validate a token for a commerce account with Meta, then store the connection (replacing any).

    Raises MetaConnectionRejected with a merchant-readable reason; MetaUnavailable when Meta is unreachable.
    """
    commerce_account_id = commerce_account_id.strip()
    access_token = access_token.strip()
    if not commerce_account_id.isdigit():
        raise MetaConnectionRejected(_("The commerce account id is a number, as in Commerce Manager's address."), code="bad_cms_id")
    if not access_token:
        raise MetaConnectionRejected(_("Paste the access token."), code="no_token")

    try:
        info = meta_graph_client().debug_token(access_token)
    except MetaError as error:
        raise MetaUnavailable(error) from None
    if not info.is_valid:
        raise MetaConnectionRejected(_("Meta says this token is not valid (expired or revoked)."), code="invalid_token")
    if info.app_id and info.app_id != settings.META_APP_ID:
        raise MetaConnectionRejected(_("This token was issued to another app, not to OrderGuard."), code="other_app")
    granted = [scope for scope in ORDER_READ_SCOPES if scope in info.scopes]
    if not granted:
        raise MetaConnectionRejected(_("The token lacks permission to read orders (commerce_account_read_orders)."), code="missing_permission")
    targets = {target for scope in granted for target in info.targets_for(scope)}
    if targets and commerce_account_id not in targets:
        raise MetaConnectionRejected(_("The token's order permission does not cover this commerce account."), code="wrong_account")

    client = meta_graph_client(access_token=access_token)
    try:
        account = client.commerce_account(commerce_account_id)
        apps = [{"id": app.id, "name": app.name} for app in client.order_management_apps(commerce_account_id)]
    except (MetaAuthError, MetaPermissionError):
        raise MetaConnectionRejected(_("The token cannot read this commerce account."), code="no_access") from None
    except MetaError as error:
        raise MetaUnavailable(error) from None

    with transaction.atomic():
        previous = MetaConnection.objects.filter(shop=shop).values_list("commerce_account_id", flat=True).first()
        connection, _created = MetaConnection.objects.update_or_create(
            shop=shop,
            defaults={
                "status": MetaConnection.Status.CONNECTED,
                "source": source,
                "commerce_account_id": commerce_account_id,
                "commerce_account_name": account.name,
                "page_id": page_id,
                "page_name": page_name,
                "access_token": access_token,
                "token_type": info.type,
                "token_expires_at": info.expires_at,
                "scopes": ",".join(info.scopes),
                "order_management_apps": apps,
                "apps_checked_at": timezone.now(),
                "broken_reason": "",
                "broken_message": "",
                "broken_at": None,
                "throttled_until": None,
                "connected_at": timezone.now(),
            },
        )
        if previous and previous != commerce_account_id:
            commerce_account_changed.send(sender=MetaConnection, shop=shop, previous=previous, current=commerce_account_id)
    logger.info("Connected %s to Meta commerce account %s (%s)", shop.domain, commerce_account_id, source)
    return connection


@dataclass(frozen=True)
class MetaLoginGrant:
    """What a Facebook Login yields: the long-lived user token, and the commerce accounts of the merchant's
    Pages (dicts of commerce_account_id, commerce_account_name, page_id, page_name) with each Page's token."""

    user_token: str
    accounts: list[dict]
    page_tokens: dict[str, str]


def meta_login_exchange(*, code: str, redirect_uri: str) -> MetaLoginGrant:
    """Trade a Facebook Login code for a long-lived user token and list the commerce accounts it reaches.

    Raises MetaLoginIncomplete (any Graph error: Meta's reason is in the message and in `detail`).
    """
    try:
        client = meta_graph_client()
        user_token = client.exchange_for_long_lived_token(client.exchange_code_for_token(code=code, redirect_uri=redirect_uri))
        accounts, page_tokens = [], {}
        for page in meta_graph_client(access_token=user_token).pages():
            page_client = meta_graph_client(access_token=page.access_token)
            for cms_id in page_client.page_commerce_accounts(page.id):
                name = page_client.commerce_account(cms_id).name
                accounts.append({"commerce_account_id": cms_id, "commerce_account_name": name, "page_id": page.id, "page_name": page.name})
                page_tokens[page.id] = page.access_token
    except MetaError as error:
        raise MetaLoginIncomplete(error) from None
    return MetaLoginGrant(user_token=user_token, accounts=accounts, page_tokens=page_tokens)


def meta_connection_disconnect(*, shop: Shop) -> bool:
    """Forget the token and stop polling. The orders of the account leave the shop's page with it."""
    with transaction.atomic():
        connection = MetaConnection.objects.select_for_update().filter(shop=shop).exclude(status=MetaConnection.Status.DISCONNECTED).first()
        if connection is None:
            return False
        MetaConnection.objects.filter(pk=connection.pk).update(status=MetaConnection.Status.DISCONNECTED, access_token="", throttled_until=None)
        commerce_account_changed.send(sender=MetaConnection, shop=shop, previous=connection.commerce_account_id, current="")
    return True


def meta_connection_record_error(*, connection: MetaConnection, error: MetaError) -> None:
    """Turn a Graph API error into the connection's state (for the health panel and the dispatcher)."""
    now = timezone.now()
    if isinstance(error, MetaThrottledError):
        until = now + timedelta(seconds=max(error.retry_after, 1))
        MetaConnection.objects.filter(pk=connection.pk).update(throttled_until=until)
        logger.warning("Meta throttles %s until %s (code %s, fbtrace_id %s)", connection.shop_id, until, error.code, error.fbtrace_id)
    elif isinstance(error, (MetaAuthError, MetaPermissionError)):
        reason = "reconnect_needed" if isinstance(error, MetaAuthError) else "permission_missing"
        MetaConnection.objects.filter(pk=connection.pk).update(
            status=MetaConnection.Status.BROKEN, broken_reason=reason, broken_message=str(error)[:500], broken_at=now
        )
        logger.warning("Meta connection of shop %s is broken: %s (code %s, fbtrace_id %s)", connection.shop_id, reason, error.code, error.fbtrace_id)


def meta_connection_record_apps(*, connection: MetaConnection, apps: list[dict]) -> None:
    MetaConnection.objects.filter(pk=connection.pk).update(order_management_apps=apps, apps_checked_at=timezone.now())
    connection.order_management_apps, connection.apps_checked_at = apps, timezone.now()
