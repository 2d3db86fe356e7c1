"""The Meta connection page: connect (Facebook Login or a system-user token), see the state, disconnect."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from orderguard.core.exceptions import ApplicationError
from orderguard.core.http import AppRequest
from orderguard.meta_connections.login import meta_login_ticket
from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.services import meta_connection_connect, meta_connection_disconnect
from orderguard.orders.selectors import shop_health

TEMPLATE = "dashboard/meta.html"


def _context(request: AppRequest, **extra) -> dict:
    health = shop_health(shop=request.shop)
    return {
        "shop": request.shop,
        "nav": "meta",
        "connection": health.connection,
        "health": health,
        "login_url": reverse("meta-login-start") + "?ticket=" + meta_login_ticket(shop=request.shop, language=request.LANGUAGE_CODE),
        **extra,
    }


@require_GET
def meta_connection(request: AppRequest) -> HttpResponse:
    template = f"{TEMPLATE}#connection" if request.htmx else TEMPLATE
    return render(request, template, _context(request))


@require_POST
def meta_connect_token(request: AppRequest) -> HttpResponse:
    cms_id = request.POST.get("commerce_account_id", "").strip()
    token = request.POST.get("access_token", "").strip()
    error = ""
    try:
        meta_connection_connect(shop=request.shop, commerce_account_id=cms_id, access_token=token,
                                source=MetaConnection.Source.SYSTEM_USER_TOKEN)
    except ApplicationError as failure:  # rejected (MetaConnectionRejected) or unreachable (MetaUnavailable)
        error = str(failure)
    status = 422 if error else 200
    response = render(request, f"{TEMPLATE}#connection", _context(request, token_error=error, cms_id=cms_id), status=status)
    message = error or _("Connected. OrderGuard checks your Facebook and Instagram orders within a minute.")
    return trigger_client_event(response, "og:toast", {"message": message, "error": bool(error)})


@require_POST
def meta_disconnect(request: AppRequest) -> HttpResponse:
    meta_connection_disconnect(shop=request.shop)
    response = render(request, f"{TEMPLATE}#connection", _context(request))
    return trigger_client_event(response, "og:toast", {"message": _("Disconnected from Meta. Polling has stopped.")})
