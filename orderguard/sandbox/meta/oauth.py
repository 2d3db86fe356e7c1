"""Facebook Login and tokens: the dialog's request checks and codes, the token endpoint, long-lived
exchange, /me, /me/accounts (Page tokens) and /debug_token.

    dialog/oauth?client_id&redirect_uri&state&scope&response_type=code  -> redirect_uri?code=..&state=..
    GET /oauth/access_token?client_id&redirect_uri&client_secret&code     -> short-lived user token
    GET /oauth/access_token?grant_type=fb_exchange_token&fb_exchange_token -> 60-day user token
    GET /me/accounts                                                     -> Pages with PAGE tokens
    GET /debug_token?input_token=..  (with the app token)                -> {"data": {...}}

Codes are single use, live ten minutes and are bound to their redirect_uri, as Facebook's are.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction

from orderguard.sandbox.meta import errors, graph
from orderguard.sandbox.meta import representations as rep
from orderguard.sandbox.meta.auth import AppCaller, check_alive, require_scope
from orderguard.sandbox.meta.call import Call
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaOAuthCode, MetaToken, MetaUser

CODE_LIFETIME = timedelta(minutes=10)
SHORT_LIVED = timedelta(seconds=5400)
LONG_LIVED = timedelta(days=60)
DATA_ACCESS = timedelta(days=90)
KNOWN_SCOPES = frozenset({
    "public_profile", "email", "pages_show_list", "pages_read_engagement", "business_management", "catalog_management",
    "commerce_account_read_orders", "commerce_account_manage_orders", "commerce_account_read_settings",
    "commerce_manage_accounts", "commerce_account_read_reports",
})
# Granular scopes and the kind of object their targets are.
COMMERCE_SCOPE_PREFIX = "commerce_"
PAGE_SCOPES = frozenset({"pages_show_list", "pages_read_engagement", "business_management"})
APP_NAME = "OrderGuard"
_TOKEN_ALPHABET = string.ascii_letters + string.digits


def new_token_value() -> str:
    return "EAA" + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(150))


# The dialog
# ------------------------------------------------------------------------------------------------------


class DialogError(Exception):
    def __init__(self, title: str, message: str):
        super().__init__(message)
        self.title, self.message = title, message


@dataclass(frozen=True)
class DialogRequest:
    client_id: str
    redirect_uri: str
    state: str
    scopes: tuple[str, ...]


def dialog_request(params) -> DialogRequest:
    client_id = str(params.get("client_id") or "")
    if client_id != settings.META_APP_ID:
        raise DialogError("Invalid App ID", "The provided app ID does not look like a valid app ID.")
    redirect_uri = str(params.get("redirect_uri") or "")
    if not _redirect_allowed(redirect_uri):
        raise DialogError(
            "URL blocked",
            "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings.",
        )
    if str(params.get("response_type") or "code") != "code":
        raise DialogError("Unsupported response type", "The sandbox supports response_type=code only.")
    scopes = tuple(dict.fromkeys(s.strip() for s in str(params.get("scope") or "").replace(" ", ",").split(",") if s.strip()))
    unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
    if unknown:
        raise DialogError("Invalid Scopes", f"Invalid Scopes: {', '.join(unknown)}.")
    return DialogRequest(client_id=client_id, redirect_uri=redirect_uri, state=str(params.get("state") or ""), scopes=scopes)


def _redirect_allowed(uri: str) -> bool:
    """Valid OAuth redirect URIs: the app's and the sandbox admin's origins (and the test client's)."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    origin = f"{parts.scheme}://{parts.netloc}"
    allowed = {settings.APP_URL, settings.SANDBOX_ADMIN_URL, "http://testserver"}
    return origin in {urlunsplit((*urlsplit(url)[:2], "", "", "")) for url in allowed}


def users() -> list[MetaUser]:
    return list(MetaUser.objects.order_by("name"))


def pages_of(user: MetaUser) -> list[MetaCommerceAccount]:
    return list(MetaCommerceAccount.objects.filter(page_admin=user).order_by("page_name"))


def grant(request: DialogRequest, *, user: MetaUser, page_ids: list[str], now: datetime) -> str:
    """The user clicked Continue: a code for the granted scopes and the Pages they chose."""
    accounts = [account for account in pages_of(user) if account.page_id in page_ids]
    targets = [value for account in accounts for value in (account.page_id, account.id)]
    code = MetaOAuthCode.objects.create(
        code="AQ" + "".join(secrets.choice(_TOKEN_ALPHABET + "-_") for _ in range(200)),
        user=user,
        client_id=request.client_id,
        redirect_uri=request.redirect_uri,
        scopes=list(request.scopes),
        target_ids=targets,
        expires_at=now + CODE_LIFETIME,
    )
    return redirect_to(request.redirect_uri, {"code": code.code, "state": request.state})


def deny(request: DialogRequest) -> str:
    return redirect_to(request.redirect_uri, {
        "error": "access_denied",
        "error_code": "200",
        "error_description": "Permissions error",
        "error_reason": "user_denied",
        "state": request.state,
    })


def redirect_to(uri: str, params: dict) -> str:
    parts = urlsplit(uri)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    # Facebook appends "#_=_" to the redirect when it carries no fragment of its own.
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment or "_=_"))


# The token endpoint
# ------------------------------------------------------------------------------------------------------


def access_token(call: Call, _target=None) -> dict:
    params = call.params
    if str(params.get("client_id") or "") != settings.META_APP_ID:
        raise errors.GraphError("Error validating application. Invalid application ID.", code=101)
    if str(params.get("client_secret") or "") != settings.META_APP_SECRET:
        raise errors.GraphError("Error validating client secret.", code=1)
    if params.get("grant_type") == "fb_exchange_token":
        return _exchange(call)
    return _redeem_code(call)


def _redeem_code(call: Call) -> dict:
    value = str(call.params.get("code") or "")
    if not value:
        raise errors.invalid_parameter("Missing authorization code")
    with transaction.atomic(using="sandbox"):
        code = MetaOAuthCode.objects.select_for_update().filter(code=value).select_related("user").first()
        if code is None:
            raise errors.GraphError("Invalid verification code format.", code=100, subcode=36007)
        if code.used_at is not None:
            raise errors.GraphError("This authorization code has been used.", code=100, subcode=36009)
        if code.expires_at <= call.now:
            raise errors.GraphError("This authorization code has expired.", code=100, subcode=36007)
        if str(call.params.get("redirect_uri") or "") != code.redirect_uri:
            raise errors.GraphError(
                "Error validating verification code. Please make sure your redirect_uri is identical to the one you "
                "used in the OAuth dialog request",
                code=100,
                subcode=36008,
            )
        code.used_at = call.now
        code.save(update_fields=["used_at"])
        token = MetaToken.objects.create(
            value=new_token_value(),
            kind=MetaToken.Kind.USER,
            app_id=settings.META_APP_ID,
            scopes=code.scopes,
            target_ids=code.target_ids,
            user_id=code.user_id,
            issued_at=call.now,
            expires_at=call.now + SHORT_LIVED,
            data_access_expires_at=call.now + DATA_ACCESS,
        )
    call.log_account = code.user_id
    return {"access_token": token.value, "token_type": "bearer", "expires_in": int(SHORT_LIVED.total_seconds())}


def _exchange(call: Call) -> dict:
    value = str(call.params.get("fb_exchange_token") or "")
    current = MetaToken.objects.filter(value=value, kind=MetaToken.Kind.USER).first()
    if current is None:
        raise errors.invalid_token()
    check_alive(current, now=call.now)
    token = MetaToken.objects.create(
        value=new_token_value(),
        kind=MetaToken.Kind.USER,
        app_id=current.app_id,
        scopes=current.scopes,
        target_ids=current.target_ids,
        user_id=current.user_id,
        issued_at=call.now,
        expires_at=call.now + LONG_LIVED,
        data_access_expires_at=current.data_access_expires_at,
    )
    call.log_account = current.user_id
    return {"access_token": token.value, "token_type": "bearer", "expires_in": int(LONG_LIVED.total_seconds())}


# /me and /me/accounts
# ------------------------------------------------------------------------------------------------------


def me(call: Call, _target=None) -> dict:
    token = call.token
    call.log_account = token.profile_id or token.user_id
    if token.kind == MetaToken.Kind.PAGE:
        account = MetaCommerceAccount.objects.filter(page_id=token.profile_id).first()
        if account is not None:
            return graph.select(rep.page(account), call.fields(), rep.PAGE)
    user = MetaUser.objects.filter(id=token.user_id).first()
    name = user.name if user else ("System User" if token.kind == MetaToken.Kind.SYSTEM_USER else "")
    return graph.select({"id": token.user_id, "name": name}, call.fields(), rep.USER)


ACCOUNTS_DEFAULTS = ("access_token", "category", "name", "id", "tasks")


def me_accounts(call: Call, _target=None) -> dict:
    token = call.token
    call.log_account = token.user_id
    if token.kind == MetaToken.Kind.PAGE:
        raise errors.GraphError("(#100) Tried accessing nonexisting field (accounts) on node type (Page)", code=100)
    try:
        require_scope(token, ("pages_show_list", "business_management"))
        visible = _pages_for(token)
    except errors.GraphError:
        visible = []  # without pages_show_list Meta answers with an empty list, not an error
    page = graph.paginate(
        visible, key=lambda account: account.page_id, after=call.params.get("after"), before=call.params.get("before"),
        limit=graph.parse_limit(call.params.get("limit")),
    )
    selection = call.fields()
    node = graph.Node(rep.PAGE.name, rep.PAGE.fields, defaults=ACCOUNTS_DEFAULTS)
    data = [graph.select(rep.page(account, access_token=_page_token(token, account, call.now).value), selection, node) for account in page.rows]
    return graph.paged_body(data, page, url=call.page_link)


def _pages_for(token: MetaToken) -> list[MetaCommerceAccount]:
    accounts = MetaCommerceAccount.objects.order_by("page_id")
    if token.kind == MetaToken.Kind.USER:
        accounts = accounts.filter(page_admin_id=token.user_id)
    return [account for account in accounts if account.page_id in token.target_ids]


def _page_token(parent: MetaToken, account: MetaCommerceAccount, now: datetime) -> MetaToken:
    """The Page token for `account` derived from `parent`: the same one on every call. From a long-lived
    user token (or a system user's) it never expires; from a short-lived one it expires with it."""
    existing = MetaToken.objects.filter(parent=parent, profile_id=account.page_id, is_valid=True).first()
    if existing is not None:
        return existing
    long_lived = parent.expires_at is None or parent.expires_at - now > timedelta(days=1)
    return MetaToken.objects.create(
        value=new_token_value(),
        kind=MetaToken.Kind.PAGE,
        app_id=parent.app_id,
        scopes=parent.scopes,
        target_ids=[account.page_id, account.id],
        user_id=parent.user_id,
        profile_id=account.page_id,
        issued_at=now,
        expires_at=None if long_lived else parent.expires_at,
        data_access_expires_at=parent.data_access_expires_at,
        parent=parent,
    )


# /debug_token
# ------------------------------------------------------------------------------------------------------


def debug_token(call: Call, _target=None) -> dict:
    if not isinstance(call.caller, AppCaller):
        raise errors.app_token_required()
    value = str(call.params.get("input_token") or "")
    if not value:
        raise errors.invalid_parameter("The parameter input_token is required")
    call.log_account = settings.META_APP_ID
    token = MetaToken.objects.filter(value=value).first()
    if token is None:
        return {"data": {"error": {"code": 190, "message": "Invalid OAuth access token."}, "is_valid": False, "scopes": []}}
    data: dict = {
        "app_id": token.app_id,
        "type": token.kind,
        "application": APP_NAME,
        "data_access_expires_at": _unix(token.data_access_expires_at),
        "expires_at": _unix(token.expires_at),
        "is_valid": True,
        "issued_at": _unix(token.issued_at),
        "scopes": list(token.scopes),
        "granular_scopes": _granular(token),
        "user_id": token.user_id,
    }
    if token.kind == MetaToken.Kind.PAGE:
        data["profile_id"] = token.profile_id
    if token.app_id != settings.META_APP_ID:
        data["is_valid"] = False
        data["error"] = {"code": 190, "message": "The App_id in the input_token did not match the Viewing App"}
    elif not token.is_valid:
        data["is_valid"] = False
        data["error"] = {"code": 190, "subcode": 460, "message": "The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."}
    elif token.expires_at is not None and token.expires_at <= call.now:
        data["is_valid"] = False
        data["error"] = {"code": 190, "subcode": 463, "message": f"Session has expired on {errors.meta_time(token.expires_at)}."}
    return {"data": data}


def _granular(token: MetaToken) -> list[dict]:
    accounts = {account.id for account in MetaCommerceAccount.objects.filter(id__in=token.target_ids)}
    commerce_targets = [target for target in token.target_ids if target in accounts]
    page_targets = [target for target in token.target_ids if target not in accounts]
    granular = []
    for scope in token.scopes:
        if scope.startswith(COMMERCE_SCOPE_PREFIX):
            granular.append({"scope": scope, "target_ids": commerce_targets})
        elif scope in PAGE_SCOPES:
            granular.append({"scope": scope, "target_ids": page_targets})
    return granular


def _unix(value: datetime | None) -> int:
    return int(value.timestamp()) if value is not None else 0
