"""Content-Security-Policy frame-ancestors on every response.

A response is embeddable only when the request carried a verified shop: the auth middleware then sets
`request.frame_ancestors` (the verified shop's origin plus Shopify admin's). Everything else gets
`frame-ancestors 'none'` and keeps Django's X-Frame-Options: DENY. The shop in the header never comes from
a query parameter.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

BASE_POLICY = "base-uri 'self'; object-src 'none'"


class FrameAncestorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        ancestors = getattr(request, "frame_ancestors", None)
        if ancestors:
            response["Content-Security-Policy"] = f"frame-ancestors {' '.join(ancestors)}; {BASE_POLICY}"
            # Embedded pages must not send X-Frame-Options (it would forbid Shopify admin's frame).
            response.xframe_options_exempt = True
        else:
            response["Content-Security-Policy"] = f"frame-ancestors 'none'; {BASE_POLICY}"
        return response
