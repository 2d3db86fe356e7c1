"""Which handler answers a Graph path, and the checks every call goes through, in Meta's order:

1. the token (and its appsecret_proof) is valid;
2. the object exists and the token may see it (if not: "Unsupported get request", code 100/33);
3. the account's injected faults and rate limits;
4. the permission (scope) the edge needs (code 200);
5. the account's orders are brought up to date (meta/orders.py) before the handler reads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from orderguard.sandbox.meta import account_edges, auth, errors, faults, health_edges, oauth, order_edges, orders, usage
from orderguard.sandbox.meta.call import Call
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaOrder, MetaToken

SUPPORTED_VERSIONS = {f"v{major}.0" for major in range(21, 27)}
VERSION_PATTERN = re.compile(r"^v\d+\.\d+$")


@dataclass(frozen=True)
class Route:
    handler: Callable
    scopes: tuple[str, ...] | None
    edge: str


TOP_LEVEL = {
    ("GET", "debug_token"): Route(oauth.debug_token, None, "debug_token"),
    ("GET", "oauth/access_token"): Route(oauth.access_token, None, "oauth/access_token"),
    ("POST", "oauth/access_token"): Route(oauth.access_token, None, "oauth/access_token"),
}
NO_TOKEN = {"oauth/access_token"}  # the token endpoint authenticates with client_id/client_secret
USER_ROUTES = {
    ("GET", ""): Route(oauth.me, None, "me"),
    ("GET", "accounts"): Route(oauth.me_accounts, None, "me/accounts"),
}
ORDER_ROUTES = {
    ("GET", ""): Route(order_edges.get_order, auth.READ_ORDERS, "order"),
    ("GET", "items"): Route(order_edges.order_edge("items"), auth.READ_ORDERS, "items"),
    ("GET", "cancellations"): Route(order_edges.order_edge("cancellations"), auth.READ_ORDERS, "cancellations"),
    ("GET", "refunds"): Route(order_edges.order_edge("refunds"), auth.READ_ORDERS, "refunds"),
    ("GET", "shipments"): Route(order_edges.order_edge("shipments"), auth.READ_ORDERS, "shipments"),
    ("POST", "acknowledge_order"): Route(order_edges.acknowledge_order, auth.MANAGE_ORDERS, "acknowledge_order"),
    ("POST", "cancellations"): Route(order_edges.cancel_order, auth.MANAGE_ORDERS, "cancellations"),
}
ACCOUNT_ROUTES = {
    ("GET", ""): Route(account_edges.get_account, auth.READ_SETTINGS, "commerce_account"),
    ("GET", "commerce_orders"): Route(order_edges.list_orders, auth.READ_ORDERS, "commerce_orders"),
    ("POST", "acknowledge_orders"): Route(order_edges.acknowledge_orders, auth.MANAGE_ORDERS, "acknowledge_orders"),
    ("GET", "setup_status"): Route(account_edges.account_edge("setup_status"), auth.READ_SETTINGS, "setup_status"),
    ("GET", "order_management_apps"): Route(account_edges.account_edge("order_management_apps"), auth.READ_SETTINGS, "order_management_apps"),
    ("POST", "order_management_apps"): Route(account_edges.register_app, auth.MANAGE_ACCOUNTS, "order_management_apps"),
    ("DELETE", "order_management_apps"): Route(account_edges.remove_apps, auth.MANAGE_ACCOUNTS, "order_management_apps"),
    ("GET", "shops"): Route(health_edges.shops, auth.READ_SETTINGS, "shops"),
}
PAGE_ROUTES = {
    ("GET", ""): Route(account_edges.get_page, auth.SHOW_PAGES, "page"),
    ("GET", "commerce_merchant_settings"): Route(account_edges.page_accounts, auth.READ_SETTINGS, "commerce_merchant_settings"),
    # The legacy Page root of the order edges (Meta's batch-ack sample posts to /{page-id}/acknowledge_orders).
    ("GET", "commerce_orders"): Route(order_edges.list_orders, auth.READ_ORDERS, "commerce_orders"),
    ("POST", "acknowledge_orders"): Route(order_edges.acknowledge_orders, auth.MANAGE_ORDERS, "acknowledge_orders"),
}


def split_version(version: str | None, path: str) -> tuple[str, str]:
    """(version, path); an unversioned call uses the pinned version, as Meta uses the app's default."""
    if version is None or not VERSION_PATTERN.match(version):
        joined = f"{version}/{path}" if version else path
        return settings.META_GRAPH_API_VERSION, joined.strip("/")
    if version not in SUPPORTED_VERSIONS:
        raise errors.deprecated_version(version, settings.META_GRAPH_API_VERSION)
    return version, path.strip("/")


def dispatch(call: Call) -> tuple[int, dict]:
    route = TOP_LEVEL.get((call.method, call.path))
    if route is not None:
        call.operation = route.edge
        if call.path not in NO_TOKEN:
            call.caller = auth.authenticate(call.request, call.params, now=call.now)
        return _result(route.handler(call, None))

    call.operation = call.path.split("/", 1)[-1] if "/" in call.path else "node"
    call.caller = auth.authenticate(call.request, call.params, now=call.now)
    segments = call.path.split("/")
    if len(segments) > 2 or not segments[0]:
        raise errors.unknown_path(call.path)
    object_id, edge = segments[0], (segments[1] if len(segments) == 2 else "")

    if object_id == "me" or (isinstance(call.caller, MetaToken) and object_id == call.caller.user_id and call.caller.kind != MetaToken.Kind.PAGE):
        route = _route(USER_ROUTES, call.method, edge, object_id, "User")
        call.operation = route.edge
        if isinstance(call.caller, auth.AppCaller):
            raise errors.GraphError("An active access token must be used to query information about the current user.", code=2500)
        return _result(route.handler(call, None))

    order = MetaOrder.objects.select_related("account__shopify_shop").filter(pk=object_id).first()
    if order is not None:
        account, routes, node_type = order.account, ORDER_ROUTES, "CommerceOrder"
    else:
        account = MetaCommerceAccount.objects.select_related("shopify_shop").filter(pk=object_id).first()
        routes, node_type = ACCOUNT_ROUTES, "CommerceMerchantSettings"
        if account is None:
            account = MetaCommerceAccount.objects.select_related("shopify_shop").filter(page_id=object_id).first()
            routes, node_type = PAGE_ROUTES, "Page"
    if account is None:
        raise errors.unsupported(object_id, call.method.lower())

    route = _route(routes, call.method, edge, object_id, node_type)
    call.operation = route.edge
    call.account, call.log_account = account, account.id
    auth.require_access(call.caller, account, object_id, call.method.lower())
    faults.apply(account=account, now=call.now)
    usage.check_budget(account=account, caller=call.caller, now=call.now)
    if route.scopes:
        auth.require_scope(call.caller, route.scopes)
    orders.advance(account=account, now=call.now)
    target = MetaOrder.objects.select_related("account").get(pk=order.pk) if order is not None else account
    return _result(route.handler(call, target))


def _route(routes: dict, method: str, edge: str, object_id: str, node_type: str) -> Route:
    route = routes.get((method, edge))
    if route is not None:
        return route
    if any(known == edge for _, known in routes):
        raise errors.unsupported(object_id, method.lower())
    raise errors.nonexisting_field(edge, node_type)


def _result(result) -> tuple[int, dict]:
    return result if isinstance(result, tuple) else (200, result)
