"""Facebook Login for connecting a commerce account. It cannot run inside the admin iframe, so it runs
in a top-level popup, bound to the shop that started it and to the browser that started it:

1. The app page (ID-token authenticated) renders a link with a signed, ten-minute ticket naming the shop.
2. /meta/login/start checks the ticket, records a login attempt with a random single-use `state`
   (secrets.token_urlsafe, 256 bits) and a random browser key, and redirects to Facebook's dialog. The
   browser gets the key in a first-party cookie; the attempt keeps only its SHA-256.
3. /meta/login/callback accepts only a live `state` not called back before, from the browser holding its
   key (a dialog link forwarded to someone else comes back without it); it exchanges the code for a
   long-lived user token and lists the commerce accounts of the merchant's Pages.
4. The merchant picks one of exactly those accounts, from the same browser; the Page token is validated
   and stored as the shop's connection.

Whatever the outcome (connected, failed, cancelled), the attempt is spent and its tokens are dropped;
an abandoned attempt's tokens are dropped when it expires (meta_connections/tasks.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orderguard.meta_connections.models import MetaConnection, MetaLoginAttempt
from orderguard.meta_connections.services import (
    MetaConnectionRejected,
    MetaLoginIncomplete,
    MetaUnavailable,
    meta_connection_connect,
    meta_login_exchange,
)
from orderguard.shops.models import Shop

TICKET_SALT = "orderguard.meta-login-ticket"
TICKET_MAX_AGE = 600
ATTEMPT_LIFETIME = timedelta(minutes=15)
# The state as minted (secrets.token_urlsafe(32)): a looked-up state must look like one.
STATE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,128}")


@dataclass(frozen=True)
class LoginStarted:
    dialog_url: str
    browser_key: str  # goes into the starting browser's cookie, never stored


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
    return MetaLoginAttempt.objects.filter(state=_state_or_none(state)).values_list("language", flat=True).first()


def meta_login_start(*, ticket: str) -> LoginStarted:
    """The Facebook dialog URL for a valid ticket, and the key the browser must keep; raises
    MetaLoginFailed otherwise."""
    try:
        payload = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature:
        raise MetaLoginFailed(_("This link has expired. Open OrderGuard in Shopify admin and start again.")) from None
    shop = Shop.objects.filter(pk=payload.get("shop"), status=Shop.Status.ACTIVE).first()
    if shop is None:
        raise MetaLoginFailed(_("This shop has not installed OrderGuard."))
    browser_key = secrets.token_urlsafe(32)
    attempt = MetaLoginAttempt.objects.create(
        shop=shop, state=secrets.token_urlsafe(32), expires_at=timezone.now() + ATTEMPT_LIFETIME,
        browser_key_hash=_hash(browser_key), language=str(payload.get("language") or "en")[:8],
    )
    query = urlencode({
        "client_id": settings.META_APP_ID,
        "redirect_uri": callback_url(),
        "state": attempt.state,
        "scope": ",".join(settings.META_OAUTH_SCOPES),
        "response_type": "code",
    })
    return LoginStarted(dialog_url=f"{settings.META_OAUTH_DIALOG_URL}?{query}", browser_key=browser_key)


def meta_login_callback(*, state: str, code: str, browser_key: str) -> MetaLoginAttempt:
    """Exchange the code and list the commerce accounts the merchant can pick from. The state is called
    back once: a second callback, or one from another browser, is refused."""
    with transaction.atomic():
        attempt = _live_attempt(state=state, browser_key=browser_key)
        if attempt.called_back_at is not None:
            raise MetaLoginFailed(_invalid_login_message())
        attempt.called_back_at = timezone.now()
        attempt.save(update_fields=["called_back_at"])
    try:
        grant = meta_login_exchange(code=code, redirect_uri=callback_url())
    except MetaLoginIncomplete as error:
        _spend(attempt)
        raise MetaLoginFailed(error.message) from None
    attempt.user_token = grant.user_token
    attempt.page_tokens = json.dumps(grant.page_tokens)
    # Exactly the accounts this login's token reaches: the choice accepts none other.
    attempt.accounts = grant.accounts
    attempt.save(update_fields=["user_token", "page_tokens", "accounts"])
    return attempt


def meta_login_cancel(*, state: str, browser_key: str) -> None:
    """The merchant cancelled in Facebook's dialog: spend the attempt (if it is this browser's)."""
    try:
        with transaction.atomic():
            _spend(_live_attempt(state=state, browser_key=browser_key))
    except MetaLoginFailed:
        pass  # nothing of this browser's to cancel


def meta_login_choices(attempt: MetaLoginAttempt) -> list[CommerceAccountChoice]:
    return [CommerceAccountChoice(**account) for account in attempt.accounts]


def meta_login_choose(*, state: str, commerce_account_id: str, browser_key: str) -> MetaConnection:
    with transaction.atomic():
        attempt = _live_attempt(state=state, browser_key=browser_key)
        if attempt.called_back_at is None:
            raise MetaLoginFailed(_invalid_login_message())
        choice = next((c for c in meta_login_choices(attempt) if c.commerce_account_id == commerce_account_id), None)
        if choice is None:
            raise MetaLoginFailed(_("Pick one of the commerce accounts listed."))
        page_token = json.loads(attempt.page_tokens or "{}").get(choice.page_id, "")
        # Single use: spent before Meta is asked, so a concurrent second choice finds it spent.
        _spend(attempt)
    try:
        return meta_connection_connect(
            shop=attempt.shop,
            commerce_account_id=choice.commerce_account_id,
            access_token=page_token,
            source=MetaConnection.Source.FACEBOOK_LOGIN,
            page_id=choice.page_id,
            page_name=choice.page_name,
        )
    except MetaConnectionRejected as error:
        raise MetaLoginFailed(error.message) from None
    except MetaUnavailable as error:
        raise MetaLoginFailed(error.message) from None


def meta_login_attempts_purge() -> int:
    """Drop the tokens of every attempt that is spent or expired (an abandoned login keeps a 60-day user
    token otherwise); returns how many attempts held some."""
    held = MetaLoginAttempt.objects.filter(
        Q(completed_at__isnull=False) | Q(expires_at__lte=timezone.now()),
    ).filter(Q(user_token__isnull=False) | Q(page_tokens__isnull=False) | ~Q(accounts=[]))
    return held.update(user_token=None, page_tokens=None, accounts=[])


def _invalid_login_message() -> str:
    return _("This login is no longer valid. Open OrderGuard in Shopify admin and start again.")


def _hash(browser_key: str) -> str:
    return hashlib.sha256(browser_key.encode()).hexdigest()


def _spend(attempt: MetaLoginAttempt) -> None:
    """The attempt's state is used up, and the tokens it held are dropped."""
    MetaLoginAttempt.objects.filter(pk=attempt.pk).update(completed_at=timezone.now(), user_token=None, page_tokens=None, accounts=[])


def _state_or_none(state: str) -> str:
    """A state as we mint them (URL-safe base64); anything else (a NUL byte, a path, 5 MB) matches nothing,
    and never reaches the database as typed."""
    return state if STATE_PATTERN.fullmatch(state or "") else "-"


def _live_attempt(*, state: str, browser_key: str) -> MetaLoginAttempt:
    """The unspent, unexpired attempt of `state`, locked, if `browser_key` is the one it was started with.
    Call inside a transaction."""
    attempt = MetaLoginAttempt.objects.select_for_update().filter(state=_state_or_none(state)).select_related("shop").first()
    if attempt is None or attempt.completed_at is not None or attempt.expires_at <= timezone.now():
        raise MetaLoginFailed(_invalid_login_message())
    if not browser_key or not attempt.browser_key_hash or not hmac.compare_digest(_hash(browser_key), attempt.browser_key_hash):
        raise MetaLoginFailed(_invalid_login_message())
    return attempt
