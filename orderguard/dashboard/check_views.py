"""Check now (the orders page's button): ask for a poll, then follow it until it reports, as a toast."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from orderguard.core.http import AppRequest
from orderguard.orders import checks

TEMPLATE = "dashboard/_check_now.html"


@require_POST
def check_now(request: AppRequest) -> HttpResponse:
    """Enqueue a poll; the button turns into "Checking…" and asks for the outcome every few seconds."""
    asked = checks.poll_check_request(shop=request.shop)
    if asked.requested_at is None:
        response = render(request, TEMPLATE, {}, status=429 if asked.rate_limited else 409)
        return trigger_client_event(response, "og:toast", {"message": asked.refusal, "error": True})
    return render(request, TEMPLATE, {"since": asked.requested_at.isoformat()}, status=202)


@require_GET
def check_status(request: AppRequest) -> HttpResponse:
    """204 while the poll runs; then the idle button, the outcome as a toast, and the list reloaded. A
    `since` that is not a time gives the idle button back (nothing to follow)."""
    requested_at = _aware_time(request.GET.get("since", ""))
    if requested_at is None:
        return render(request, TEMPLATE, {})
    result = checks.poll_check_result(shop=request.shop, requested_at=requested_at)
    if result is None:
        return HttpResponse(status=204)
    response = render(request, TEMPLATE, {})
    trigger_client_event(response, "og:toast", {"message": result.message, "error": result.error})
    return trigger_client_event(response, "og:orders-changed", {})


def _aware_time(value: str) -> datetime | None:
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None
