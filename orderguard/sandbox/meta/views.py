"""HTTP endpoints of the Meta stand-in: the Graph API (one dispatching view) and Facebook Login's dialog.

The Graph view only frames a call: read parameters, dispatch (meta/routing.py), turn GraphError into
Meta's error body, add the usage headers and log the call.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.template import Context, Engine
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from orderguard.sandbox.calls import record_call
from orderguard.sandbox.meta import errors, faults, oauth, routing, usage
from orderguard.sandbox.meta.call import Call, read_params
from orderguard.sandbox.meta.models import MetaCommerceAccount

_TEMPLATES = Engine(dirs=[str(Path(__file__).resolve().parent / "templates")], autoescape=True)


@csrf_exempt  # a server-to-server API authenticated by access token and appsecret_proof, not cookies
@require_http_methods(["GET", "POST", "DELETE"])
def graph(request: HttpRequest, path: str, version: str | None = None) -> JsonResponse:
    now = timezone.now()
    call = Call(request=request, method=request.method, version=version or "", path=path, params={}, now=now)
    try:
        call.version, call.path = routing.split_version(version, path)
        call.params = read_params(request)
        status, body = routing.dispatch(call)
        response = JsonResponse(body, status=status)
    except errors.GraphError as error:
        response = error.response()
    account = MetaCommerceAccount.objects.filter(pk=call.account.pk).first() if call.account is not None else None
    for name, value in usage.headers(account=account, now=now).items():
        response[name] = value
    response["x-fb-trace-id"] = errors.fbtrace_id()[:11]
    if routing.VERSION_PATTERN.match(call.version):
        # The version that answered (the one asked for, unless a version_upgraded fault says otherwise).
        response["x-fb-api-version"] = faults.take_version(account=account, version=call.version, now=now) if account is not None else call.version
    record_call("meta", f"{request.method} {call.operation or call.path}", call.log_account or call.path.split("/")[0], response.status_code)
    return response


@csrf_protect
@require_http_methods(["GET", "POST"])
def oauth_dialog(request: HttpRequest) -> HttpResponse:
    """facebook.com/dialog/oauth: "Continue as <name>" or "Cancel", then back to redirect_uri."""
    source = request.POST if request.method == "POST" else request.GET
    response = _dialog(request, source)
    # Like Facebook's, the dialog keeps the link to the window that opened it (Login runs in popups).
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    record_call("meta", f"{request.method} dialog/oauth", str(source.get("client_id", ""))[:64], response.status_code)
    return response


def _dialog(request: HttpRequest, source) -> HttpResponse:
    try:
        dialog = oauth.dialog_request(source)
    except oauth.DialogError as error:
        return _render(request, "oauth_error.html", {"title": error.title, "message": error.message}, status=400)
    users = oauth.users()
    user = next((u for u in users if u.id == source.get("user")), users[0] if users else None)
    if request.method == "POST":
        if source.get("decision") == "cancel":
            return HttpResponseRedirect(oauth.deny(dialog))
        if user is None:
            return _render(request, "oauth_error.html", {"title": "No Facebook user", "message": "Load a sandbox scenario first."}, status=400)
        url = oauth.grant(dialog, user=user, page_ids=request.POST.getlist("pages"), now=timezone.now())
        return HttpResponseRedirect(url)
    return _render(request, "oauth_dialog.html", {
        "dialog": dialog,
        "params": {key: source.get(key, "") for key in ("client_id", "redirect_uri", "state", "scope", "response_type")},
        "user": user,
        "users": users,
        "pages": oauth.pages_of(user) if user else [],
        "switch_links": [
            (other.name, f"{request.path}?{urlencode({**dict(source.items()), 'user': other.id})}") for other in users if other != user
        ],
    })


def _render(request: HttpRequest, name: str, context: dict, status: int = 200) -> HttpResponse:
    context = {**context, "csrf_token": get_token(request)}
    response = HttpResponse(_TEMPLATES.get_template(name).render(Context(context)), status=status)
    # Facebook's dialog is a top-level page: it refuses to be framed.
    response["X-Frame-Options"] = "DENY"
    response["Content-Security-Policy"] = "frame-ancestors 'none'"
    return response

