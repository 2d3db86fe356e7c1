"""Facebook Login's top-level pages (outside the admin iframe, so outside /app): start, callback, choose.
Each is bound to a shop by a signed ticket or a single-use state, never by a cookie or a query shop, and
to the browser that started the login by a first-party cookie (login.py says why)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orderguard.core.i18n import supported_language
from orderguard.meta_connections import login


def _popup_page(response: HttpResponse) -> HttpResponse:
    """These pages run in a popup opened by the app: a strict Cross-Origin-Opener-Policy would cut the
    popup from the app (window.opener = null), and the result page could not tell the app it is done."""
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


def _failed(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return _popup_page(render(request, "meta_connections/login_result.html", {"ok": False, "message": message}, status=status))


def _speak(language: str | None) -> None:
    """These pages are outside the app's frame: they speak the language the login started in."""
    language = supported_language(language)
    if language:
        translation.activate(language)


# Top-level pages on the app's own origin: a first-party cookie. Lax, so that it comes back with Facebook's
# redirect (a top-level GET navigation) and with our own form's POST; scoped to these pages.
BROWSER_COOKIE = "og_meta_login"
BROWSER_COOKIE_PATH = "/meta/login/"


def _browser_key(request: HttpRequest) -> str:
    return request.COOKIES.get(BROWSER_COOKIE, "")


@require_GET
def login_start(request: HttpRequest) -> HttpResponse:
    _speak(login.meta_login_language(ticket=request.GET.get("ticket", "")))
    try:
        started = login.meta_login_start(ticket=request.GET.get("ticket", ""))
    except login.MetaLoginFailed as error:
        return _failed(request, error.message)
    response = _popup_page(HttpResponseRedirect(started.dialog_url))
    response.set_cookie(
        BROWSER_COOKIE, started.browser_key, max_age=int(login.ATTEMPT_LIFETIME.total_seconds()),
        path=BROWSER_COOKIE_PATH, secure=settings.META_LOGIN_COOKIE_SECURE, httponly=True, samesite="Lax",
    )
    return response


@require_GET
def login_callback(request: HttpRequest) -> HttpResponse:
    _speak(login.meta_login_language(state=request.GET.get("state", "")))
    if request.GET.get("error"):
        login.meta_login_cancel(state=request.GET.get("state", ""), browser_key=_browser_key(request))
        return _failed(request, _("Facebook Login was cancelled. Nothing was connected."), status=200)
    try:
        attempt = login.meta_login_callback(
            state=request.GET.get("state", ""), code=request.GET.get("code", ""), browser_key=_browser_key(request)
        )
    except login.MetaLoginFailed as error:
        return _failed(request, error.message)
    return _popup_page(render(request, "meta_connections/login_choose.html", {
        "state": attempt.state, "choices": login.meta_login_choices(attempt), "shop": attempt.shop,
    }))


@require_POST
def login_choose(request: HttpRequest) -> HttpResponse:
    _speak(login.meta_login_language(state=request.POST.get("state", "")))
    try:
        connection = login.meta_login_choose(
            state=request.POST.get("state", ""), commerce_account_id=request.POST.get("commerce_account_id", ""),
            browser_key=_browser_key(request),
        )
    except login.MetaLoginFailed as error:
        return _failed(request, error.message)
    response = _popup_page(render(request, "meta_connections/login_result.html", {
        "ok": True, "connection": connection, "admin_url": connection.shop.admin_url("apps/orderguard/meta"), "app_origin": settings.APP_URL,
    }))
    response.delete_cookie(BROWSER_COOKIE, path=BROWSER_COOKIE_PATH, samesite="Lax")
    return response
