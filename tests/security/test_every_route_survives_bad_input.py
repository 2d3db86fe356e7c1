"""No 500 on bad input, anywhere (issue 8, item 4): a bounded set of malformed requests goes to every
route of the URLconf, authenticated and not, and any 5xx fails the test, naming the route and request.

The route list is derived from the URLconf (django.urls.get_resolver), so a route is covered the day it
is added; path parameters are filled with odd values of their converter's shape. The sandbox's routes
(/_sandbox/, the local stand-ins of Shopify and Meta) are covered too: none is excluded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote

import jwt
import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, StringConverter

from orderguard.integrations.shopify.auth import webhook_signature
from orderguard.sandbox.shopify.id_tokens import mint_id_token
from orderguard.shops.models import OfflineToken
from tests.helpers import SHOP_A, id_token_claims, make_sandbox_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

HANDLE_A = SHOP_A.removesuffix(".myshopify.com")
BIG = str(2**63)  # one past SQLite's (and PostgreSQL's bigint) largest integer

# Path parameter values by converter: the first is a plausible value (the full request set is sent
# there), the rest are odd (a shorter set).
PATH_VALUES = {
    IntConverter: ["1", "0", BIG, "9" * 40],
    StringConverter: [None, "%00", quote("‮x💥"), "a" * 300, "..", "%25", "%C0%AF"],
    PathConverter: ["me", "me/accounts/../../x", "%00/%FF", "v1.0/" + "a/" * 50, "/"],
}
# Plausible values of string parameters, by name (None in PATH_VALUES stands for these).
PLAUSIBLE = {"shop_domain": SHOP_A, "handle": HANDLE_A, "api_version": settings.SHOPIFY_API_VERSION,
             "version": settings.META_GRAPH_API_VERSION, "cms_id": "1054872930216647", "order_id": "1000000000000001"}

ODD_QUERIES = [
    "q=%00",
    "q=" + "A" * 20_000,
    "q=%F0%9F%92%A5%E2%80%AE&tab=%FF%FE&sort=%C0%AF&channel=%ED%A0%80",  # emoji, RTL mark, invalid UTF-8
    "page=-1&page=99999999999999999999999&page=x&page=1e309",  # repeated
    "tab=all&tab=resolved&sort=-&sort=nonsense&channel[]=1&status=%00",
    "state=%00&code=%00&ticket=%00&error=1&seen=%00&locale=..%2F..%2Fetc",
    "shopify-reload=%2F%09%2Fevil.example&shop=%00&host=%%%&embedded=2",
    "id_token=garbage.garbage.garbage",
    "%00=%00&=&&&;;;&a=%",
    f"ids={BIG}&ids=-1&ids=1e309&order_id={BIG}",
    "fields=id,name{%00}&access_token=%00&limit=-5&after=%00&since=NaN&until=1e999",
    "user=%00&pages=%00&decision=%00&redirect_uri=javascript:x&client_id=%00&scope=%00",
]


@dataclass(frozen=True)
class Body:
    name: str
    content: bytes
    content_type: str


BODIES = [
    Body("form with odd values", (
        f"ids={BIG}&ids=-1&ids=abc&ids={'1' * 40}&commerce_account_id=%00&access_token=%00%00"
        f"&state={'x' * 5000}&pages=%00&decision=continue&csrfmiddlewaretoken=x&q=%00"
    ).encode(), "application/x-www-form-urlencoded"),
    Body("form with a huge token", ("commerce_account_id=" + "1" * 40 + "&access_token=EAA" + "A" * 5000).encode(),
         "application/x-www-form-urlencoded"),
    Body("malformed JSON", b'{"a": [1, 2', "application/json"),
    Body("JSON nested 5,000 deep", b"[" * 5000 + b"]" * 5000, "application/json"),
    Body("a JSON object of odd values", json.dumps({
        "id": 2**70, "shop_domain": SHOP_A, "shop_id": "x", "customer": {"email": "\x00", "id": [1]},
        "orders_to_redact": [2**70, "x"], "query": "{ shop { name } }", "variables": [1],
    }).encode(), "application/json"),
    Body("bytes that are not UTF-8", b"\xff\xfe\x00\x80", "application/x-www-form-urlencoded"),
    Body("multipart without a boundary", b"--x\r\n\r\n", "multipart/form-data"),
]

def _odd_headers() -> list[dict]:
    return [*ODD_HEADERS, {"Authorization": "Bearer " + jwt.encode(
        {**id_token_claims(SHOP_A), "dest": [f"https://{SHOP_A}"]}, settings.SHOPIFY_API_SECRET, algorithm="HS256",
    )}]  # validly signed, with a list for `dest`


ODD_HEADERS = [
    {"Authorization": "Bearer x"},
    {"Authorization": "Basic Og=="},
    {"Authorization": "Bearer " + "a" * 5000},
    {"Authorization": "Bearer a.b.c", "HX-Request": "true", "HX-Target": "\x7f<script>"},
    {"X-OrderGuard-Locale": "../../etc/passwd", "Accept-Language": "zz-ZZ;q=nan,,;", "HX-Request": "x"},
    {"X-Shopify-Hmac-Sha256": "%%%", "X-Shopify-Shop-Domain": "x.myshopify.com.evil.tld", "X-Shopify-Topic": "\x00",
     "X-Shopify-Access-Token": "\x01", "Cookie": "og_meta_login=%00; csrftoken=\x7f"},
]


@dataclass
class Route:
    route: str
    pattern: URLPattern
    paths: list[str] = field(default_factory=list)


def every_route() -> list[Route]:
    """Every URL pattern of the URLconf, recursively, each with concrete paths to request."""
    routes = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                routes.append(Route(route, pattern, _concrete_paths(route, pattern)))

    walk(get_resolver().url_patterns, "")
    return routes


def _concrete_paths(route: str, pattern: URLPattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", {})
    if not converters:
        return ["/" + route]

    def fill(choose) -> str:
        def value(match: re.Match) -> str:
            name = match.group(2)
            return choose(name, PATH_VALUES[type(converters[name])])
        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)

    plausible = fill(lambda name, values: values[0] if values[0] is not None else PLAUSIBLE.get(name, "x"))
    longest = max(len(values) for values in PATH_VALUES.values())
    odd = [fill(lambda name, values, i=i: values[min(i, len(values) - 1)] or PLAUSIBLE.get(name, "x")) for i in range(1, longest)]
    return [plausible, *dict.fromkeys(path for path in odd if path != plausible)]


ROUTES = every_route()


@pytest.fixture
def admin_token(app_server) -> str:
    """Shop A installed (sandbox shop with the app, and our token from a first page load); returns the
    Admin API token the sandbox's Shopify accepts for it."""
    make_sandbox_shop(SHOP_A, name="Alpha Goods")
    first = Client().get("/app/", {"embedded": "1", "shop": SHOP_A, "id_token": mint_id_token(shop_domain=SHOP_A)})
    assert first.status_code == 200
    return OfflineToken.objects.get(shop__domain=SHOP_A).access_token


def _auth_headers(body: bytes, admin_token: str) -> dict:
    """What a genuine caller would add: a valid ID token for an installed shop (the app), a valid
    signature over the body (the webhooks) and a valid Admin API token (the sandbox's Shopify)."""
    return {
        "Authorization": f"Bearer {mint_id_token(shop_domain=SHOP_A)}",
        "X-Shopify-Hmac-Sha256": webhook_signature(body, settings.SHOPIFY_API_SECRET),
        "X-Shopify-Shop-Domain": SHOP_A,
        "X-Shopify-Access-Token": admin_token,
    }


def _requests(path: str, *, full: bool, admin_token: str):
    """(description, method, url, body, content type, headers) for one concrete path."""
    queries = ODD_QUERIES if full else ODD_QUERIES[:3]
    bodies = BODIES if full else BODIES[:1]
    for authenticated in (False, True):
        auth = (lambda body: _auth_headers(body, admin_token)) if authenticated else (lambda body: {})
        label = "authenticated" if authenticated else "anonymous"
        for query in queries:
            url = f"{path}?{query}"
            if authenticated:
                url += f"&id_token={mint_id_token(shop_domain=SHOP_A)}"
            yield f"{label} GET ?{query[:80]}", "GET", url, b"", None, auth(b"")
        for body in bodies:
            yield f"{label} POST {body.name}", "POST", f"{path}?{queries[0]}", body.content, body.content_type, auth(body.content)
        for headers in _odd_headers() if full else ODD_HEADERS[:1]:
            yield f"{label} GET with headers {sorted(headers)}", "GET", path, b"", None, {**auth(b""), **headers}
    if full:
        for method in ("HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"):
            yield f"anonymous {method}", method, path, b"x=1", "application/x-www-form-urlencoded", {}


@pytest.mark.parametrize("route", ROUTES, ids=[route.route or "/" for route in ROUTES])
def test_no_malformed_request_gets_a_5xx(admin_token, route):
    client = Client(raise_request_exception=False)
    failures = []
    for index, path in enumerate(route.paths):
        for description, method, url, body, content_type, headers in _requests(path, full=index == 0, admin_token=admin_token):
            kwargs = {"content_type": content_type} if content_type else {}
            response = client.generic(method, url, data=body, headers=headers, **kwargs)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {method} {url[:160]} ({description})")
    assert not failures, f"/{route.route}: {len(failures)} malformed requests got a 5xx:\n" + "\n".join(failures)


def test_every_route_of_the_urlconf_is_covered():
    # The list above is the URLconf itself; this guards the walk (resolvers included, nothing dropped).
    routes = {route.route for route in ROUTES}
    assert {"app/orders/export", "meta/login/choose", "webhooks/orders/create", "auth/patch-id-token"} <= routes
    assert any(route.startswith("_sandbox/") for route in routes)
    assert all(route.paths for route in ROUTES)
