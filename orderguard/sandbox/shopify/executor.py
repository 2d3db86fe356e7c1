"""The sandbox Admin GraphQL endpoint's engine: validate against the real schema, check access scopes,
charge the leaky bucket, execute over the sandbox data, and answer in Shopify's shape (extensions.cost,
THROTTLED, ACCESS_DENIED)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from graphql import ExecutionResult, FragmentDefinitionNode, OperationDefinitionNode, execute

from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.shopify import resolvers
from orderguard.sandbox.shopify.cost import query_cost
from orderguard.sandbox.shopify.schema import admin_schema, parse_and_validate, type_scopes

THROTTLED_DOCS = "https://shopify.dev/api/usage/rate-limits"


@dataclass
class GraphQLOutcome:
    status: int
    body: dict
    operation_name: str = ""


def run(*, shop: SandboxShop, document: str, variables: dict | None, operation_name: str | None, scopes: set[str]) -> GraphQLOutcome:
    ast, errors = parse_and_validate(document)
    if errors:
        return GraphQLOutcome(200, {"errors": [_error_dict(error, "GRAPHQL_VALIDATION_FAILED") for error in errors]})
    operation = _operation(ast, operation_name)
    if operation is None:
        return GraphQLOutcome(200, {"errors": [{"message": "No operation to run", "extensions": {"code": "BAD_REQUEST"}}]})
    name = operation.name.value if operation.name else ""
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    report = query_cost(admin_schema(), operation, fragments, variables or {})

    denied = [type_name for type_name in sorted(report.root_types) if _needs_scope(type_name, scopes)]
    if denied:
        needed = ", ".join(sorted({s for t in denied for s in type_scopes().get(t, [])}))
        return GraphQLOutcome(200, {"errors": [{
            "message": f"Access denied for {', '.join(denied)}. Required access: {needed}.",
            "extensions": {"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes"},
        }]}, name)

    paid, status = _charge(shop, report.requested)
    cost = {
        "requestedQueryCost": report.requested,
        "actualQueryCost": report.requested if paid else None,
        "throttleStatus": status,
    }
    if not paid:
        return GraphQLOutcome(200, {
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": THROTTLED_DOCS}}],
            "extensions": {"cost": cost},
        }, name)

    result: ExecutionResult = execute(
        admin_schema(), ast, root_value=resolvers.root_value(shop), variable_values=variables, operation_name=operation_name
    )
    body: dict = {"data": result.data, "extensions": {"cost": cost}}
    if result.errors:
        body["errors"] = [_error_dict(error, "INTERNAL_SERVER_ERROR") for error in result.errors]
    return GraphQLOutcome(200, body, name)


def force_throttle(shop: SandboxShop) -> dict:
    """The THROTTLED answer for an injected fault: an empty bucket."""
    status = _status(shop)
    status["currentlyAvailable"] = 0
    return {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": THROTTLED_DOCS}}],
        "extensions": {"cost": {"requestedQueryCost": 1, "actualQueryCost": None, "throttleStatus": status}},
    }


def _operation(ast, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((op for op in operations if op.name and op.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def _needs_scope(type_name: str, scopes: set[str]) -> bool:
    required = type_scopes().get(type_name, [])
    return bool(required) and not (set(required) & _implied(scopes))


def _implied(scopes: set[str]) -> set[str]:
    """write_x implies read_x, as on Shopify."""
    return scopes | {scope.replace("write_", "read_", 1) for scope in scopes if scope.startswith("write_")}


def _charge(shop: SandboxShop, points: int) -> tuple[bool, dict]:
    """Take `points` from the shop's bucket. Returns (paid, throttle status); unpaid means THROTTLED."""
    with transaction.atomic(using="sandbox"):
        locked = SandboxShop.objects.select_for_update().get(pk=shop.pk)
        now = timezone.now()
        available = locked.throttle_available
        if locked.throttle_updated_at is not None:
            elapsed = (now - locked.throttle_updated_at).total_seconds()
            available = min(locked.throttle_maximum, available + elapsed * locked.throttle_restore_rate)
        paid = points <= available
        if paid:
            available -= points
        SandboxShop.objects.filter(pk=shop.pk).update(throttle_available=available, throttle_updated_at=now)
        status = {"maximumAvailable": locked.throttle_maximum, "currentlyAvailable": available, "restoreRate": locked.throttle_restore_rate}
        return paid, status


def _status(shop: SandboxShop) -> dict:
    return {"maximumAvailable": shop.throttle_maximum, "currentlyAvailable": shop.throttle_available, "restoreRate": shop.throttle_restore_rate}


def _error_dict(error, code: str) -> dict:
    formatted = error.formatted
    formatted.setdefault("extensions", {}).setdefault("code", code)
    return formatted
