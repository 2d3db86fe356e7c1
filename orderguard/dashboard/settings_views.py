"""The Settings page: the shop card, the merchant's preferences (an htmx form) and customer data requests."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from orderguard.core.http import AppRequest
from orderguard.dashboard.forms import ShopPreferencesForm
from orderguard.shops import preferences as shop_preferences
from orderguard.shops import selectors as shop_selectors

TEMPLATE = "dashboard/settings.html"


@require_GET
def shop_settings(request: AppRequest) -> HttpResponse:
    preferences = shop_preferences.shop_preferences(shop=request.shop)
    context = {
        "shop": request.shop, "nav": "settings", "preferences_form": ShopPreferencesForm.of(preferences),
        "exports": shop_selectors.data_request_exports(shop=request.shop)[:20],
    }
    return render(request, TEMPLATE, context)


@require_POST
def preferences_update(request: AppRequest) -> HttpResponse:
    """Save the preferences form; an invalid form comes back with its errors (422), nothing saved."""
    form = ShopPreferencesForm(request.POST)
    if not form.is_valid():
        response = render(request, f"{TEMPLATE}#preferences", {"preferences_form": form}, status=422)
        return trigger_client_event(response, "og:toast", {"message": _("Settings not saved: check the highlighted fields."), "error": True})
    preferences = shop_preferences.shop_preferences_update(shop=request.shop, **form.cleaned_data)
    response = render(request, f"{TEMPLATE}#preferences", {"preferences_form": ShopPreferencesForm.of(preferences), "saved": True})
    return trigger_client_event(response, "og:toast", {"message": _("Settings saved. They apply from the next check.")})
