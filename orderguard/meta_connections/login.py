"""Facebook Login for connecting a commerce account. It cannot run inside the admin iframe, so it runs
in a top-level popup, bound to the shop that started it:

1. The app page (ID-token authenticated) renders a link with a signed, ten-minute ticket naming the shop.
2. /meta/login/start checks the ticket, records a login attempt with a random single-use `state`
   (secrets.token_urlsafe, 256 bits) and redirects to Facebook's dialog.
3. /meta/login/callback accepts only a live, unused `state`; it exchanges the code for a long-lived user
   token and lists the commerce accounts of the merchant's Pages.
4. The merchant picks one; the Page token is validated and stored as the shop's connection.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orderguard.integrations.meta.errors import MetaError
from orderguard.meta_connections.models import MetaConnection, MetaLoginAttempt
from orderguard.meta_connections.clients import meta_graph_client
from orderguard.meta_connections.services import MetaConnectionRejected, meta_connection_connect
from orderguard.shops.models import Shop

TICKET_SALT = "orderguard.meta-login-ticket"
TICKET_MAX_AGE = 600
ATTEMPT_LIFETIME = timedelta(minutes=15)


class MetaLoginFailed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CommerceAccountChoice:
    commerce_account_id: str
    commerce_account_name: str
    page_id: str
    page_name: str


def callback_url() -> str:
    return settings.APP_URL + reverse("meta-login-callback")


def meta_login_ticket(*, shop: Shop, language: str) -> str:
    return signing.dumps({"shop": shop.pk, "language": language, "nonce": secrets.token_urlsafe(8)}, salt=TICKET_SALT)


def meta_login_language(*, ticket: str = "", state: str = "") -> str | None:
    """The admin language a login was started in (from its ticket or its state), if known."""
    if ticket:
        try:
            return signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE).get("language")
        except signing.BadSignature:
            return None
    return MetaLoginAttempt.objects.filter(state=state or "-").values_list("language", flat=True).first()


def meta_login_start(*, ticket: str) -> str:
    """The Facebook dialog URL for a valid ticket; raises MetaLoginFailed otherwise."""
    try:
        payload = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature:
        raise MetaLoginFailed(_("This link has expired. Open OrderGuard in Shopify admin and start again.")) from None
    shop = Shop.objects.filter(pk=payload.get("shop"), status=Shop.Status.ACTIVE).first()
    if shop is None:
        raise MetaLoginFailed(_("This shop has not installed OrderGuard."))
    attempt = MetaLoginAttempt.objects.create(
        shop=shop, state=secrets.token_urlsafe(32), expires_at=timezone.now() + ATTEMPT_LIFETIME,
        language=str(payload.get("language") or "en")[:8],
    )
    query = urlencode({
        "client_id": settings.META_APP_ID,
        "redirect_uri": callback_url(),
        "state": attempt.state,
        "scope": ",".join(settings.META_OAUTH_SCOPES),
        "response_type": "code",
    })
    return f"{settings.META_OAUTH_DIALOG_URL}?{query}"


def meta_login_callback(*, state: str, code: str) -> MetaLoginAttempt:
    """Exchange the code and list the commerce accounts the merchant can pick from."""
    attempt = _live_attempt(state)
    try:
        client = meta_graph_client()
        short_lived = client.exchange_code_for_token(code=code, redirect_uri=callback_url())
        user_token = client.exchange_for_long_lived_token(short_lived)
        user_client = meta_graph_client(access_token=user_token)
        accounts, page_tokens = [], {}
        for page in user_client.pages():
            page_client = meta_graph_client(access_token=page.access_token)
            for cms_id in page_client.page_commerce_accounts(page.id):
                name = page_client.commerce_account(cms_id).name
                accounts.append({"commerce_account_id": cms_id, "commerce_account_name": name, "page_id": page.id, "page_name": page.name})
                page_tokens[page.id] = page.access_token
    except MetaError as error:
        raise MetaLoginFailed(_("Facebook did not complete the login (%(reason)s). Try again.") % {"reason": error.message or "unknown error"}) from None
    attempt.user_token = user_token
    attempt.page_tokens = json.dumps(page_tokens)
    attempt.accounts = accounts
    attempt.save(update_fields=["user_token", "page_tokens", "accounts"])
    return attempt


def meta_login_choices(attempt: MetaLoginAttempt) -> list[CommerceAccountChoice]:
    return [CommerceAccountChoice(**account) for account in attempt.accounts]


def meta_login_choose(*, state: str, commerce_account_id: str) -> MetaConnection:
    attempt = _live_attempt(state)
    choice = next((c for c in meta_login_choices(attempt) if c.commerce_account_id == commerce_account_id), None)
    if choice is None:
        raise MetaLoginFailed(_("Pick one of the commerce accounts listed."))
    page_token = json.loads(attempt.page_tokens or "{}").get(choice.page_id, "")
    try:
        connection = meta_connection_connect(
            shop=attempt.shop,
            commerce_account_id=choice.commerce_account_id,
            access_token=page_token,
            source=MetaConnection.Source.FACEBOOK_LOGIN,
            page_id=choice.page_id,
            page_name=choice.page_name,
        )
    except MetaConnectionRejected as error:
        raise MetaLoginFailed(error.message) from None
    except MetaError as error:
        raise MetaLoginFailed(_("Meta could not be reached (%(reason)s). Try again.") % {"reason": error.message or "unknown error"}) from None
    # Single use: the state is spent and the tokens the attempt held are dropped.
    MetaLoginAttempt.objects.filter(pk=attempt.pk).update(completed_at=timezone.now(), user_token=None, page_tokens=None, accounts=[])
    return connection


def _live_attempt(state: str) -> MetaLoginAttempt:
    with transaction.atomic():
        attempt = MetaLoginAttempt.objects.select_for_update().filter(state=state or "-").select_related("shop").first()
        if attempt is None or attempt.completed_at is not None or attempt.expires_at <= timezone.now():
            raise MetaLoginFailed(_("This login is no longer valid. Open OrderGuard in Shopify admin and start again."))
        return attempt
