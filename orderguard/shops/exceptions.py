"""Shop states that stop work until something outside OrderGuard happens."""


class ShopUnavailable(Exception):
    """Base: OrderGuard cannot act for this shop right now."""


class ShopNotInstalled(ShopUnavailable):
    """No offline token: the app is uninstalled, or was never opened on this shop."""


class ShopNeedsReauth(ShopUnavailable):
    """Shopify refused the refresh token; the merchant must open the app again (token exchange)."""


class ShopCredentialsUnreadable(ShopUnavailable):
    """The stored token cannot be decrypted with the configured keys (a key was removed too early)."""
