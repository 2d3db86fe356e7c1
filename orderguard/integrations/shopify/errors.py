"""What can go wrong talking to Shopify, as a small tree callers can act on."""

from __future__ import annotations


class ShopifyError(Exception):
    """Base class. `request_id` is Shopify's X-Request-Id when there was a response."""

    def __init__(self, message: str, *, request_id: str | None = None):
        super().__init__(message)
        self.request_id = request_id


class ShopifyAuthError(ShopifyError):
    """401: the access token is invalid or revoked (app uninstalled, or the token expired)."""


class ShopifyPermissionError(ShopifyError):
    """403 or ACCESS_DENIED: the app lacks a scope or protected-data approval."""


class ShopifyThrottledError(ShopifyError):
    """THROTTLED or 429: nothing was executed; safe to retry after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float, request_id: str | None = None):
        super().__init__(message, request_id=request_id)
        self.retry_after = retry_after


class ShopifyTransientError(ShopifyError):
    """5xx or a network failure: the outcome of a mutation is unknown, a query may be retried."""


class ShopifyGraphQLError(ShopifyError):
    """Shopify rejected the document or returned errors for it (a bug on our side, not retried)."""


class ShopifyUserError(ShopifyError):
    """A mutation ran but refused the input (`userErrors`)."""

    def __init__(self, message: str, *, user_errors: list[dict], request_id: str | None = None):
        super().__init__(message, request_id=request_id)
        self.user_errors = user_errors


class TokenEndpointError(ShopifyError):
    """The token endpoint refused an exchange or refresh. `code` is Shopify's error code."""

    def __init__(self, code: str, *, retryable: bool = False):
        super().__init__(f"Shopify token endpoint: {code}")
        self.code = code
        self.retryable = retryable


class InvalidSubjectToken(TokenEndpointError):
    """The ID token offered for exchange was stale or invalid: get a fresh one from App Bridge."""


class InvalidGrant(TokenEndpointError):
    """The refresh token is expired or revoked: only the merchant reopening the app can fix it."""


class ShopifyDiscountCodeTakenError(ShopifyUserError):
    """discountCodeBasicCreate refused the code as already used (TAKEN): an earlier attempt may have made it."""
