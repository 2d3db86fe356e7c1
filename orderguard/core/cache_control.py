"""`Cache-Control: no-store` on every response of the embedded app (/app/...).

Its pages, partials and exports show buyers' names, emails and addresses: no browser or proxy cache may
keep a copy. One place for every route, so a new page cannot forget it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

APP_PATH_PREFIX = "/app/"


class NoStoreAppResponsesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path == APP_PATH_PREFIX.rstrip("/") or request.path.startswith(APP_PATH_PREFIX):
            patch_cache_control(response, no_store=True, private=True)
        return response
