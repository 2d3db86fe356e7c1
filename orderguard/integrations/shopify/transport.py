"""HTTP clients for Shopify calls, with an optional base URL that stands in for every shop's origin.

Production leaves SHOPIFY_API_BASE_URL empty and requests go to https://<shop>.myshopify.com. With a base
URL (the local sandbox), the transport sends https://<shop>.myshopify.com/<path> to <base>/<shop>.myshopify.com/<path>:
the calling code, shopifyapp included, is exactly the production code.
"""

from __future__ import annotations

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class ShopOriginTransport(httpx.BaseTransport):
    def __init__(self, base_url: str, inner: httpx.BaseTransport | None = None):
        self.base = httpx.URL(base_url.rstrip("/"))
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host.endswith(".myshopify.com"):
            url = self.base.copy_with(path=f"{self.base.path}/{host}{request.url.path}", query=request.url.query or None)
            headers = httpx.Headers(request.headers)
            headers["host"] = self.base.netloc.decode()
            request = httpx.Request(request.method, url, headers=headers, content=request.read(), extensions=request.extensions)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def build_http_client(*, base_url: str = "", timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> httpx.Client:
    transport = ShopOriginTransport(base_url) if base_url else None
    return httpx.Client(timeout=timeout, transport=transport)
