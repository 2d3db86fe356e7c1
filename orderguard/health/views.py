"""The health panel under /app/health (htmx): thin views over the selectors and one service each.

The page renders stored results only; "check now" runs the checks (it calls the platforms) and answers
with the refreshed panel partial.
"""

from __future__ import annotations

from dataclasses import fields

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from orderguard.core.http import AppRequest
from orderguard.health import dossier, reconnect, selectors, services
from orderguard.health.answers import answer_rows
from orderguard.health.checkout_review import checkout_review


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


def _reconnect(request: AppRequest, *, partial: bool) -> HttpResponse:
    page = selectors.reconnect_page(shop=request.shop)
    context = {**{f.name: getattr(page, f.name) for f in fields(page)}, "page": page, "shop": request.shop, "nav": "health"}
    return render(request, "health/reconnect.html#progress" if partial else "health/reconnect.html", context)


@require_GET
def reconnect_page(request: AppRequest) -> HttpResponse:
    """The checklist and its progress; the progress partial reloads itself while the workers verify."""
    return _reconnect(request, partial=bool(request.htmx and request.htmx.target == "reconnect-progress"))


@require_POST
def reconnect_start(request: AppRequest) -> HttpResponse:
    reconnect.reconnect_start(shop=request.shop)
    return _reconnect(request, partial=True)


@require_POST
def reconnect_step(request: AppRequest, session_id: int, step: str) -> HttpResponse:
    """Confirm one step; another shop's session or an unknown step is a 404 and changes nothing."""
    if reconnect.reconnect_step_confirm(shop=request.shop, session_id=session_id, step=step) is None:
        raise Http404
    return _reconnect(request, partial=True)


@require_GET
def dossier_download(request: AppRequest) -> HttpResponse:
    """The support dossier; buyer names only with ?include_buyer=1."""
    archive = dossier.health_dossier(shop=request.shop, include_buyer=request.GET.get("include_buyer") == "1")
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="orderguard-dossier-{timezone.now():%Y%m%d-%H%M}.zip"'
    return response


@require_GET
def checkout_review_page(request: AppRequest) -> HttpResponse:
    """Meta's and Shopify's checkout settings side by side, from the stored check results."""
    return render(request, "health/checkout.html", {"review": checkout_review(shop=request.shop), "shop": request.shop, "nav": "health"})


@require_GET
def answers_page(request: AppRequest) -> HttpResponse:
    return render(request, "health/answers.html", {"answers": answer_rows(), "shop": request.shop, "nav": "health"})
