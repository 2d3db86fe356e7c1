"""Who is calling and what they may see: access tokens, appsecret_proof, scopes and object access.

- The token comes from `access_token` (query or form) or `Authorization: Bearer|OAuth <token>`.
- The app token `{META_APP_ID}|{META_APP_SECRET}` is accepted where Meta wants an app token (debug_token).
- Every other token must come with `appsecret_proof` = hex HMAC-SHA256(token, app secret): the app has
  "Require App Secret" on, as a server-side app should.
- A PAGE token reaches its Page's commerce account; USER and SYSTEM_USER tokens reach the Pages and
  accounts in their granular targets.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from orderguard.sandbox.meta import errors
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaToken

READ_ORDERS = ("commerce_account_read_orders", "commerce_account_manage_orders")
MANAGE_ORDERS = ("commerce_account_manage_orders",)
READ_SETTINGS = ("commerce_account_read_settings", "commerce_manage_accounts")
MANAGE_ACCOUNTS = ("commerce_manage_accounts", "commerce_account_manage_orders")
SHOW_PAGES = ("pages_show_list", "business_management", "commerce_account_read_settings", "commerce_manage_accounts")


@dataclass(frozen=True)
class AppCaller:
    """The app itself, authenticated by its app token."""

    app_id: str


def token_from(request, params: dict) -> str:
    header = request.headers.get("Authorization", "")
    for scheme in ("Bearer ", "OAuth "):
        if header.startswith(scheme):
            return header.removeprefix(scheme).strip()
    return str(params.get("access_token") or "")


def app_token() -> str:
    return f"{settings.META_APP_ID}|{settings.META_APP_SECRET}"


def proof(token: str) -> str:
    return hmac.new(settings.META_APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


def authenticate(request, params: dict, *, now: datetime) -> MetaToken | AppCaller:
    value = token_from(request, params)
    if not value:
        raise errors.missing_token()
    if hmac.compare_digest(value, app_token()):
        return AppCaller(app_id=settings.META_APP_ID)
    token = MetaToken.objects.filter(value=value).first()
    if token is None:
        raise errors.invalid_token()
    given = str(params.get("appsecret_proof") or "")
    if not given:
        raise errors.missing_proof()
    # Only this app's secret is known here: a token of another app can never carry a valid proof.
    if token.app_id != settings.META_APP_ID or not hmac.compare_digest(given.lower(), proof(value)):
        raise errors.invalid_proof()
    check_alive(token, now=now)
    return token


def check_alive(token: MetaToken, *, now: datetime) -> None:
    if not token.is_valid:
        raise errors.invalidated_token()
    if token.expires_at is not None and token.expires_at <= now:
        raise errors.expired_token(token.expires_at, now)


def require_scope(caller: MetaToken | AppCaller, alternatives: tuple[str, ...]) -> None:
    if isinstance(caller, AppCaller):
        raise errors.missing_permission(alternatives[0])
    if not set(alternatives) & set(caller.scopes):
        raise errors.missing_permission(alternatives[0])


def can_access(caller: MetaToken | AppCaller, account: MetaCommerceAccount) -> bool:
    if isinstance(caller, AppCaller):
        return False
    if caller.kind == MetaToken.Kind.PAGE:
        return caller.profile_id == account.page_id
    return account.id in caller.target_ids or account.page_id in caller.target_ids


def require_access(caller: MetaToken | AppCaller, account: MetaCommerceAccount, object_id: str, method: str = "get") -> None:
    if not can_access(caller, account):
        # Meta does not say whether the object exists when the caller may not see it.
        raise errors.unsupported(object_id, method)
