"""The Admin GraphQL client: one instance per shop, built by the caller with that shop's token.

Requests go through shopifyapp's admin_graphql_request with its own retries switched off: this client
decides what may be retried. Queries are retried on throttling and transient failures; mutations only when
Shopify proves nothing ran (THROTTLED, 429). Waits follow Shopify's throttle status (leaky bucket) and
Retry-After, and are bounded.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable

import httpx
from shopify_app import admin_graphql_request

from orderguard.integrations.shopify import documents
from orderguard.integrations.shopify.drafts import RemedyOperations
from orderguard.integrations.shopify.health import HealthReads
from orderguard.integrations.shopify.errors import (
    ShopifyAuthError,
    ShopifyError,
    ShopifyGraphQLError,
    ShopifyPermissionError,
    ShopifyThrottledError,
    ShopifyTransientError,
)
from orderguard.integrations.shopify.types import (
    ChannelDefinition,
    GraphQLResponse,
    OrdersPage,
    QueryCost,
    ShopDetails,
    ThrottleStatus,
)

logger = logging.getLogger(__name__)

# A deprecation signal's listener: (the signal, the call that drew it). The project's factory installs one
# that makes it durable (orderguard/core/platform_signals.py); the client itself only reports it.
DeprecationListener = Callable[[str, str], None]
_OPERATION = re.compile(r"\b(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)")

# Used when Shopify says THROTTLED without a usable cost: one second restores 100 points on Standard plans.
DEFAULT_THROTTLE_WAIT = 1.0


class ShopifyAdminClient(RemedyOperations, HealthReads):
    def __init__(
        self,
        *,
        shop_domain: str,
        access_token: str,
        api_version: str,
        http_client: httpx.Client,
        max_attempts: int = 4,
        max_wait_seconds: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        on_deprecation: DeprecationListener | None = None,
    ):
        self.shop_domain = shop_domain
        self.on_deprecation = on_deprecation
        self._access_token = access_token
        self.api_version = api_version
        self._http = http_client
        self.max_attempts = max_attempts
        self.max_wait_seconds = max_wait_seconds
        self._sleep = sleep
        self.last_throttle: ThrottleStatus | None = None
        self.last_cost: float = 0.0
        self.calls = 0
        # The last X-Shopify-API-Deprecated-Reason seen (orderguard/core/platform_versions.py explains).
        self.last_deprecation: str = ""

    def __repr__(self) -> str:
        return f"ShopifyAdminClient(shop_domain={self.shop_domain!r})"

    # Core API
    # --------------------------------------------------------------------------------------------------

    def query(self, document_name: str, variables: dict | None = None) -> GraphQLResponse:
        """Run a read; retried on throttling and transient failures."""
        return self._with_retries(documents.load(document_name), variables, retry_transient=True)

    def mutate(self, document_name: str, variables: dict | None = None) -> GraphQLResponse:
        """Run a write; retried only when Shopify proves it did not run (throttled)."""
        return self._with_retries(documents.load(document_name), variables, retry_transient=False)

    # Typed operations
    # --------------------------------------------------------------------------------------------------

    def shop_details(self) -> ShopDetails:
        return ShopDetails.from_data(self.query("shop_details").data)

    def social_orders(self, *, query: str, after: str | None = None) -> OrdersPage:
        """One page of orders matching an order search `query`, most recently updated first."""
        return OrdersPage.from_data(self.query("social_orders", {"query": query, "after": after}).data)

    def installed_channel_definitions(self) -> list[ChannelDefinition]:
        """The channel definitions of every sales channel the shop has installed."""
        return ChannelDefinition.list_from_data(self.query("installed_channels").data)

    def granted_scopes(self) -> tuple[str, ...]:
        """The access scopes the shop has granted the app now (handles; an odd entry is left out)."""
        data = self.query("app_access_scopes").data
        installation = data.get("currentAppInstallation") if isinstance(data, dict) else None
        entries = installation.get("accessScopes") if isinstance(installation, dict) else None
        return tuple(entry["handle"] for entry in entries or () if isinstance(entry, dict) and isinstance(entry.get("handle"), str) and entry["handle"])

    def app_is_installed(self) -> bool:
        """True if our token still works; False if Shopify refuses it (uninstalled or revoked)."""
        try:
            self.query("app_installation_check")
        except ShopifyAuthError:
            return False
        return True

    # Internals
    # --------------------------------------------------------------------------------------------------

    def _with_retries(self, document: str, variables: dict | None, *, retry_transient: bool) -> GraphQLResponse:
        waited = 0.0
        for attempt in range(1, self.max_attempts + 1):
            self._wait_for_bucket()
            try:
                return self._execute_once(document, variables)
            except ShopifyThrottledError as error:
                wait = error.retry_after
                failure: ShopifyError = error
            except ShopifyTransientError as error:
                if not retry_transient:
                    raise
                wait = min(2.0 ** (attempt - 1) * 0.5, 8.0)
                failure = error
            if attempt == self.max_attempts or waited + wait > self.max_wait_seconds:
                raise failure
            logger.info("Shopify %s for %s; retrying in %.1fs", type(failure).__name__, self.shop_domain, wait)
            self._sleep(wait)
            waited += wait
        raise AssertionError("unreachable")

    def _wait_for_bucket(self) -> None:
        """Don't send a query the bucket cannot pay for: wait for the points the last one cost."""
        if self.last_throttle is None:
            return
        wait = self.last_throttle.seconds_until(self.last_cost)
        if wait > 0:
            self._sleep(min(wait, self.max_wait_seconds))
            self.last_throttle = None

    def _execute_once(self, document: str, variables: dict | None) -> GraphQLResponse:
        self.calls += 1
        result = admin_graphql_request(
            document,
            shop=self.shop_domain.removesuffix(".myshopify.com"),
            access_token=self._access_token,
            api_version=self.api_version,
            variables=variables,
            max_retries=0,
            http_client=self._http,
        )
        headers = {key.lower(): value for key, value in (result.response.headers or {}).items()}
        request_id = headers.get("x-request-id")
        code = result.log.code
        if code == "success":
            cost = QueryCost.from_extensions(result.extensions)
            self._remember_cost(cost)
            deprecated = headers.get("x-shopify-api-deprecated-reason", "")
            if deprecated:
                self.last_deprecation = deprecated[:300]
                operation = _OPERATION.search(document)
                call = operation.group(1) if operation else "graphql"
                logger.warning("Shopify API %s deprecation signal on %s: %s", self.api_version, call, self.last_deprecation)
                if self.on_deprecation is not None:
                    self.on_deprecation(self.last_deprecation, call)
            return GraphQLResponse(data=result.data or {}, cost=cost, request_id=request_id, deprecated_reason=deprecated[:300])
        if code == "graphql_errors":
            raise self._graphql_error(result.response.body, request_id)
        if code == "unauthorized":
            raise ShopifyAuthError("Shopify refused the access token (401).", request_id=request_id)
        if code == "http_error_403":
            raise ShopifyPermissionError("Shopify refused the request (403).", request_id=request_id)
        if code in ("rate_limited", "http_error_429"):
            raise ShopifyThrottledError(
                "Shopify rate limited the request (429).",
                retry_after=_retry_after(headers.get("retry-after")),
                request_id=request_id,
            )
        if code == "network_error" or code.startswith("http_error_5"):
            raise ShopifyTransientError(f"Shopify request failed ({code}).", request_id=request_id)
        raise ShopifyGraphQLError(f"Shopify request failed ({code}).", request_id=request_id)

    def _remember_cost(self, cost: QueryCost | None) -> None:
        if cost is not None:
            self.last_throttle = cost.throttle
            self.last_cost = cost.requested

    def _graphql_error(self, body: str, request_id: str | None) -> ShopifyError:
        try:
            payload = json.loads(body or "{}")
        except ValueError:
            payload = {}
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if not isinstance(errors, list):
            errors = [{"message": str(errors)}]
        codes = {str((error.get("extensions") or {}).get("code", "")) for error in errors if isinstance(error, dict)}
        message = "; ".join(str(error.get("message", "")) for error in errors if isinstance(error, dict))[:500]
        if "THROTTLED" in codes:
            cost = QueryCost.from_extensions(payload.get("extensions"))
            wait = DEFAULT_THROTTLE_WAIT
            if cost is not None and cost.throttle is not None:
                wait = max(cost.throttle.seconds_until(cost.requested), 0.1)
            return ShopifyThrottledError(message or "Throttled", retry_after=wait, request_id=request_id)
        if "ACCESS_DENIED" in codes:
            return ShopifyPermissionError(message or "Access denied", request_id=request_id)
        return ShopifyGraphQLError(message or "GraphQL errors", request_id=request_id)


def _retry_after(value: str | None) -> float:
    try:
        return max(float(value), 0.0) if value else DEFAULT_THROTTLE_WAIT
    except ValueError:
        return DEFAULT_THROTTLE_WAIT
