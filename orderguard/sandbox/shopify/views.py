"""HTTP endpoints of the Shopify stand-in, at <base>/<shop>.myshopify.com/admin/... like the real ones."""

from __future__ import annotations

import json
import time
import uuid

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orderguard.sandbox.calls import record_call
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify import executor, tokens

INVALID_TOKEN_MESSAGE = "[API] Invalid API key or access token (unrecognized login or wrong password)"
# A `graphql_slow` fault holds the answer this long: a hung Shopify, still inside the client's 10 s timeout.
SLOW_SECONDS = 8.0


@csrf_exempt
@require_POST
def access_token(request: HttpRequest, shop_domain: str) -> JsonResponse:
    try:
        body = json.loads(request.body or b"{}") if request.content_type == "application/json" else request.POST.dict()
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than the parser goes
        body = {}
    operation = "refresh_token" if body.get("grant_type") == tokens.REFRESH else "token_exchange"
    if _take_fault(shop_domain, "token_http_500"):
        record_call("shopify", operation, shop_domain, 500)
        return JsonResponse({"errors": "Internal Server Error"}, status=500)
    try:
        payload = tokens.grant(shop_domain=shop_domain, body=body)
    except tokens.TokenError as error:
        record_call("shopify", operation, shop_domain, error.status)
        return JsonResponse({"error": error.error, "error_description": error.description}, status=error.status)
    record_call("shopify", operation, shop_domain, 200)
    return JsonResponse(payload)


@csrf_exempt
@require_POST
def graphql(request: HttpRequest, shop_domain: str, api_version: str) -> JsonResponse:
    request_id = str(uuid.uuid4())
    if _take_fault(shop_domain, "graphql_slow"):
        time.sleep(SLOW_SECONDS)
    shop = SandboxShop.objects.filter(domain=shop_domain).first()
    scopes = tokens.access_token_scopes(shop=shop, value=request.headers.get("X-Shopify-Access-Token", "")) if shop else None
    if shop is None or scopes is None:
        record_call("shopify", "graphql", shop_domain, 401)
        return _json({"errors": INVALID_TOKEN_MESSAGE}, 401, request_id)
    for fault, status in (("graphql_http_429", 429), ("graphql_http_500", 500)):
        if _take_fault(shop_domain, fault):
            record_call("shopify", "graphql", shop_domain, status)
            response = _json({"errors": "Too many requests" if status == 429 else "Internal Server Error"}, status, request_id)
            if status == 429:
                response["Retry-After"] = "1.0"
            return response
    if _take_fault(shop_domain, "graphql_throttled"):
        record_call("shopify", "graphql", shop_domain, 200)
        return _json(executor.force_throttle(shop), 200, request_id)
    try:
        body = json.loads(request.body)
        document = body["query"]
    except (ValueError, RecursionError, KeyError, TypeError):
        record_call("shopify", "graphql", shop_domain, 400)
        return _json({"errors": {"query": "Required parameter missing or invalid"}}, 400, request_id)
    outcome = executor.run(
        shop=shop,
        document=document,
        variables=body.get("variables") or {},
        operation_name=body.get("operationName"),
        scopes=scopes,
    )
    record_call("shopify", f"graphql:{outcome.operation_name}" if outcome.operation_name else "graphql", shop_domain, outcome.status)
    response = _json(outcome.body, outcome.status, request_id)
    if _take_fault(shop_domain, "graphql_deprecated_reason"):  # as Shopify marks a request that used a deprecated part
        response["X-Shopify-API-Deprecated-Reason"] = "https://shopify.dev/api/usage/versioning#deprecation-practices"
    return response


def _json(body: dict, status: int, request_id: str) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["X-Request-Id"] = request_id
    return response


def _take_fault(shop_domain: str, fault: str) -> bool:
    """Consume one injected fault of this kind, if any are left."""
    with transaction.atomic(using="sandbox"):
        shop = SandboxShop.objects.select_for_update().filter(domain=shop_domain).first()
        if shop is None or not shop.faults.get(fault):
            return False
        shop.faults[fault] -= 1
        shop.save(update_fields=["faults"])
        return True
