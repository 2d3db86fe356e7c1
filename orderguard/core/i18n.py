"""The app speaks the Shopify admin's language, not the browser's.

Shopify passes the admin's locale as `locale` on every page load of the app (e.g. "nl" or "nl-NL");
htmx requests from a page carry it back in X-OrderGuard-Locale (set on <body> by base.html). Only
languages with a message catalogue in LANGUAGES are used; anything else falls back to English.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

LOCALE_HEADER = "X-OrderGuard-Locale"


def supported_language(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().replace("_", "-").lower()
    available = {language for language, _ in settings.LANGUAGES}
    if code in available:
        return code
    base = code.split("-", 1)[0]
    return base if base in available else None


class AdminLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = (
            supported_language(request.GET.get("locale"))
            or supported_language(request.headers.get(LOCALE_HEADER))
            or translation.get_language_from_request(request)
            or settings.LANGUAGE_CODE
        )
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        if "Vary" in response:
            response["Vary"] += ", X-OrderGuard-Locale"
        else:
            response["Vary"] = "X-OrderGuard-Locale"
        translation.deactivate()
        return response
