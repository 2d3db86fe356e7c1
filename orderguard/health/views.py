"""The health panel under /app/health (htmx): thin views over the selectors and one service each.

The page renders stored results only; "check now" runs the checks (it calls the platforms) and answers
with the refreshed panel partial.
"""

from __future__ import annotations

from dataclasses import fields

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from orderguard.core.http import AppRequest
from orderguard.health import selectors, services


def _context(panel: selectors.HealthPanel, request: AppRequest) -> dict:
    return {**{f.name: getattr(panel, f.name) for f in fields(panel)}, "panel": panel, "shop": request.shop, "nav": "health"}


@require_GET
def health_page(request: AppRequest) -> HttpResponse:
    panel = selectors.health_panel(shop=request.shop)
    template = "health/panel.html#checks" if request.htmx and request.htmx.target == "health-checks" else "health/panel.html"
    return render(request, template, _context(panel, request))


@require_POST
def health_check_now(request: AppRequest) -> HttpResponse:
    services.health_checks_run(shop=request.shop)
    response = render(request, "health/panel.html#checks", _context(selectors.health_panel(shop=request.shop), request))
    return trigger_client_event(response, "og:toast", {"message": _("Checks finished."), "error": False})
