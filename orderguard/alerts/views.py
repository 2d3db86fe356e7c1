"""The settings page's alert destinations (htmx, under /app/alerts/; the ID-token middleware has set
request.shop). Each view calls one service and renders a part of templates/alerts/_destinations.html."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orderguard.alerts import destinations as service
from orderguard.alerts.models import AlertDestination
from orderguard.alerts.platform import platform_notices_for
from orderguard.core.http import AppRequest

SECTION = "alerts/_destinations.html#section"
ROW = "alerts/_destinations.html#row"


def _section(request: AppRequest, *, status: int = 200, **extra) -> HttpResponse:
    context = {
        "destinations": service.alert_destinations_of(shop=request.shop),
        "kinds": AlertDestination.Kind.choices,
        "roles": AlertDestination.Role.choices,
        "notices": platform_notices_for(shop=request.shop),
        **extra,
    }
    return render(request, SECTION, context, status=status)


def _own(request: AppRequest, destination_id: int) -> AlertDestination:
    destination = service.alert_destination_get(shop=request.shop, destination_id=destination_id)
    if destination is None:
        raise Http404
    return destination


@require_GET
def destinations(request: AppRequest) -> HttpResponse:
    return _section(request)


@require_POST
def destination_add(request: AppRequest) -> HttpResponse:
    kind, role = request.POST.get("kind", ""), request.POST.get("role", AlertDestination.Role.PRIMARY)
    if kind not in AlertDestination.Kind.values or role not in AlertDestination.Role.values:
        return _section(request, status=400, add_error=_("Choose a kind of destination."))
    try:
        created = service.alert_destination_create(
            shop=request.shop, kind=kind, label=request.POST.get("label", ""), target=request.POST.get("target", ""),
            role=role, language=(get_language() or "en")[:2],
        )
    except ValidationError as error:
        return _section(request, status=400, add_error=" ".join(error.messages), form=request.POST)
    # The signing secret is shown this once; the page never shows it again.
    return _section(request, added=created, secret=created.signing_secret)


@require_POST
def destination_test(request: AppRequest, destination_id: int) -> HttpResponse:
    destination = _own(request, destination_id)
    answer = service.alert_destination_test(destination=destination)
    return render(request, ROW, {"destination": destination, "test_answer": answer, "roles": AlertDestination.Role.choices})


@require_POST
def destination_policy(request: AppRequest, destination_id: int) -> HttpResponse:
    destination = _own(request, destination_id)
    try:
        policy = _policy_from(request.POST)
        service.alert_destination_policy_update(destination=destination, **policy)
    except (ValueError, TypeError):
        destination.refresh_from_db()
        context = {"destination": destination, "policy_error": _("Check the hourly limit (1 to 1000) and the times."), "roles": AlertDestination.Role.choices}
        return render(request, ROW, context, status=400)
    return render(request, ROW, {"destination": destination, "policy_saved": True, "roles": AlertDestination.Role.choices})


@require_POST
def destination_remove(request: AppRequest, destination_id: int) -> HttpResponse:
    service.alert_destination_remove(destination=_own(request, destination_id))
    return _section(request)


def _policy_from(data) -> dict:
    role = data.get("role", AlertDestination.Role.PRIMARY)
    if role not in AlertDestination.Role.values:
        raise ValueError("role")
    return {
        "hourly_cap": int(data.get("hourly_cap") or 10),
        "quiet_start": _time(data.get("quiet_start")),
        "quiet_end": _time(data.get("quiet_end")),
        "urgent_bypasses_quiet_hours": data.get("urgent_bypasses_quiet_hours") == "on",
        "digest_at": _time(data.get("digest_at")) if data.get("digest") == "on" else None,
        "notify_new_orders": data.get("notify_new_orders") == "on",
        "role": role,
    }


def _time(value: str | None) -> time | None:
    """'HH:MM' from an <input type=time>; empty is None; anything else ValueError."""
    if not value:
        return None
    return time.fromisoformat(value[:5])
