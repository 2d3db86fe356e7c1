"""The project's own errors: what services raise when something stops them, for views, commands and tasks.

Services catch their client's error tree (`orderguard.integrations.*`) and raise one of these, so the
platforms' error types stop at the service layer. Each error has a stable `code` (for logs, tests and
callers that branch), a `message` the merchant can read (translated; lazily when raised outside a request),
whether trying again later may help (`retryable`), and an optional `detail`: what the platform said, for
logs (never a token or buyer data).
"""

from __future__ import annotations


class ApplicationError(Exception):
    def __init__(self, message: str, *, code: str, retryable: bool = False, detail: str = ""):
        super().__init__(message)
        self.message, self.code, self.retryable, self.detail = message, code, retryable, detail

    def __str__(self) -> str:
        return str(self.message)


class PlatformUnavailable(ApplicationError):
    """Shopify or Meta did not answer, or failed on their side: nothing changed; trying later may work."""

    def __init__(self, message: str, *, code: str, retryable: bool = True, detail: str = ""):
        super().__init__(message, code=code, retryable=retryable, detail=detail)


class ConnectionRejected(ApplicationError):
    """A platform refused the credentials or the account offered: trying again unchanged will not help."""
