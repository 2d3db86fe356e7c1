"""Shop states that stop work until something outside OrderGuard happens, and a Shopify that cannot be
reached: the shops part of the project's error tree (orderguard.core.exceptions)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from orderguard.core.exceptions import ApplicationError, PlatformUnavailable


class ShopUnavailable(ApplicationError):
    """Base: OrderGuard cannot act for this shop right now. Raised with the shop's domain (for logs)."""

    code = "shop_unavailable"

    def __init__(self, shop_domain: str = ""):
        super().__init__(
            _("Shopify no longer accepts OrderGuard's access. Reopen the app from your Shopify admin."), code=self.code, detail=shop_domain
        )


class ShopNotInstalled(ShopUnavailable):
    """No offline token: the app is uninstalled, or was never opened on this shop."""

    code = "shop_not_installed"


class ShopNeedsReauth(ShopUnavailable):
    """Shopify refused the refresh token; the merchant must open the app again (token exchange)."""

    code = "shop_needs_reauth"


class ShopCredentialsUnreadable(ShopUnavailable):
    """The stored token cannot be decrypted with the configured keys (a key was removed too early)."""

    code = "shop_credentials_unreadable"


class ShopSessionInvalid(ApplicationError):
    """The App Bridge ID token is missing, forged or stale (also when Shopify refused it at the token
    exchange): the page must fetch a fresh one. `detail` holds the check that failed."""

    def __init__(self, detail: str):
        super().__init__(_("Your Shopify session has expired. Reload the page."), code="shop_session_invalid", detail=detail)


class ShopifyUnavailable(PlatformUnavailable):
    """Shopify did not answer, or its token endpoint failed: nothing changed."""

    def __init__(self, message: str | None = None, *, detail: str = "", retryable: bool = True):
        super().__init__(
            message or _("Shopify did not answer. Nothing changed; try again in a minute."),
            code="shopify_unavailable", retryable=retryable, detail=detail,
        )
