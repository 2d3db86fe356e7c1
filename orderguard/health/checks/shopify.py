"""Checks of the Shopify side: the Facebook & Instagram channel (installed, its publication), the stuck
orders' items (exist, published to the channel, in stock), shipping coverage, Shopify Payments and the
app's own scopes."""

from __future__ import annotations

# Messages are marked, not translated, here: they are stored and translated when shown (registry.py).
from django.utils.translation import gettext_noop as _

from orderguard.health import links
from orderguard.health.context import CheckContext
from orderguard.health.registry import Outcome, check, failing, pass_, unknown, warning
from orderguard.integrations.shopify.errors import ShopifyError, ShopifyPermissionError

# What the app asks for in shopify.app.toml (tests/health check they agree) and the optional scope.
REQUIRED_SCOPES = ("read_orders", "write_draft_orders", "read_products", "read_publications", "read_inventory", "read_shipping")
PAYMENTS_SCOPES = ("read_shopify_payments", "read_shopify_payments_accounts")
CHANNEL_HANDLES = ("facebook", "instagram")


@check(code="shopify.channel_installed", title=_("The Facebook & Instagram channel is installed"), group="shopify", cheap=True,
       explains_all_orders=True, cause=_("the Facebook & Instagram channel is disconnected"))
def channel_installed(ctx: CheckContext) -> Outcome:
    """Read from the channel app's installation; the deprecated channel list only when that read fails."""
    try:
        channel = ctx.channel()
        installed, source, launch_url = channel.installed, "app_installation", channel.launch_url
    except ShopifyError:
        definitions = ctx.legacy_channels()
        installed = any(d.handle in CHANNEL_HANDLES or "facebook" in d.channel_name.lower() for d in definitions)
        source, launch_url = "channel_definitions", ""
    details = {"source": source, "launch_url": launch_url}
    if not installed:
        return failing(_("The Facebook & Instagram channel is not installed in Shopify, so no Facebook or Instagram order can reach Shopify. "
                          "Install it again and reconnect your Meta account."),
                       fix_url=links.shopify_admin(ctx.shop, "apps"), details=details)
    return pass_(_("The Facebook & Instagram channel is installed."), fix_url=links.channel(ctx.shop, launch_url), details=details)


@check(code="shopify.channel_publication", title=_("The channel has its product publication"), group="shopify")
def channel_publication(ctx: CheckContext) -> Outcome:
    channel = ctx.channel()
    if not channel.installed:
        return unknown(_("The channel is not installed, so it has no publication."), fix_url=links.shopify_admin(ctx.shop, "apps"))
    publication = channel.channel_publication
    if publication is None:
        return failing(_("The channel has no product publication: no product is listed on Facebook or Instagram. Open the channel to finish its setup."),
                       fix_url=links.channel(ctx.shop, channel.launch_url))
    details = {"publication_id": publication.id, "catalog_status": publication.catalog_status}
    if publication.catalog_status and publication.catalog_status != "ACTIVE":
        return warning(_("The channel's catalog is %(status)s, not active."), fix_url=links.channel(ctx.shop, channel.launch_url),
                       status=publication.catalog_status, details=details)
    return pass_(_("Products are published to the channel's catalog."), details=details)


def _items_check(ctx: CheckContext, *, broken) -> dict[str, list[str]]:
    """{meta order id: [retailer ids]} of the stuck orders' items for which broken(variant) is true."""
    variants = ctx.variants()
    found: dict[str, list[str]] = {}
    for order in ctx.stuck:
        bad = [str(item.get("retailer_id")) for item in order.items or () if str(item.get("retailer_id")) in variants
               and broken(variants[str(item.get("retailer_id"))])]
        if bad:
            found[order.meta_order_id] = bad
    return found


def _per_order(found: dict[str, list[str]], cause: str) -> dict:
    return {"orders": {order_id: [cause] for order_id in found}, "items": found}


def _variants_check(ctx: CheckContext, *, broken, cause: str, problem: str, fix_path: str, fine: str) -> Outcome:
    """The three item checks: fail naming the stuck orders' items for which broken(variant) is true.

    `problem` gets %(count)s (orders) and %(items)s (retailer ids); `cause` is the per-order cause."""
    if not ctx.stuck:
        return pass_(_("No order is stuck, so no product needs checking."))
    found = _items_check(ctx, broken=broken)
    if found:
        ids = sorted({rid for rids in found.values() for rid in rids})
        return failing(problem, fix_url=links.shopify_admin(ctx.shop, fix_path), count=len(found), items=", ".join(ids),
                       details=_per_order(found, cause))
    return pass_(fine)


@check(code="shopify.variants_exist", title=_("The stuck orders' products still exist"), group="shopify", cause=_("variant deleted"))
def variants_exist(ctx: CheckContext) -> Outcome:
    return _variants_check(
        ctx, broken=lambda variant: variant is None, cause=_("variant deleted"),
        problem=_("%(count)s stuck orders contain products that no longer exist in Shopify (%(items)s): the channel cannot import them. "
                  "Restore the products or cancel these orders."),
        fix_path="products", fine=_("Every product of the stuck orders exists in Shopify."),
    )


@check(code="shopify.variants_published", title=_("The stuck orders' products are on the channel"), group="shopify",
       cause=_("variant not published to the channel"))
def variants_published(ctx: CheckContext) -> Outcome:
    return _variants_check(
        ctx, broken=lambda variant: variant is not None and variant.published is False, cause=_("variant not published to the channel"),
        problem=_("Products of %(count)s stuck orders are not published to the Facebook & Instagram channel (%(items)s). "
                  "Publish them: product page, Publishing, Sales channels."),
        fix_path="products", fine=_("Every product of the stuck orders is published to the channel."),
    )


@check(code="shopify.variants_in_stock", title=_("The stuck orders' products are in stock"), group="shopify", cause=_("out of stock"))
def variants_in_stock(ctx: CheckContext) -> Outcome:
    return _variants_check(
        ctx, broken=lambda variant: variant is not None and not variant.in_stock, cause=_("out of stock"),
        problem=_("Products of %(count)s stuck orders are out of stock in Shopify (%(items)s): the channel does not import an order it cannot fill. "
                  "Restock them."),
        fix_path="products/inventory", fine=_("Every product of the stuck orders is in stock."),
    )


@check(code="shopify.shipping_coverage", title=_("Shipping zones cover the stuck orders' countries"), group="shopify",
       cause=_("the country is not shipped to"))
def shipping_coverage(ctx: CheckContext) -> Outcome:
    if not ctx.stuck:
        return pass_(_("No order is stuck, so no country needs checking."))
    coverage = ctx.delivery()
    found = {order.meta_order_id: [country] for order in ctx.stuck
             if (country := str((order.shipping_address or {}).get("country") or "").upper()) and not coverage.covers(country)}
    details = {"countries": sorted(coverage.countries), "rest_of_world": coverage.rest_of_world}
    if found:
        countries = sorted({c for cs in found.values() for c in cs})
        details.update(_per_order(found, _("the country is not shipped to")))
        return failing(_("%(count)s stuck orders go to countries your shipping zones do not cover (%(countries)s). Add a shipping rate for them."),
                       fix_url=links.shopify_admin(ctx.shop, "settings/shipping"), count=len(found), countries=", ".join(countries), details=details)
    return pass_(_("Your shipping zones cover every stuck order's country."), details=details)


@check(code="shopify.payments", title=_("Shopify Payments is active"), group="shopify")
def payments(ctx: CheckContext) -> Outcome:
    """Optional scope: without it the answer is unknown, never an error."""
    granted = set(ctx.shop.scopes.split(","))
    if not granted & set(PAYMENTS_SCOPES):
        return unknown(_("OrderGuard may not read Shopify Payments (optional permission not granted). Checkout on Facebook and Instagram needed it."),
                       fix_url=links.shopify_admin(ctx.shop, "settings/payments"))
    try:
        status = ctx.payments()
    except ShopifyPermissionError:
        return unknown(_("OrderGuard may not read Shopify Payments (optional permission not granted). Checkout on Facebook and Instagram needed it."),
                       fix_url=links.shopify_admin(ctx.shop, "settings/payments"))
    if status is None or not status.activated:
        return failing(_("Shopify Payments is not active; checkout on Facebook and Instagram needs it (or Shop Pay for third-party gateways)."),
                       fix_url=links.shopify_admin(ctx.shop, "settings/payments"))
    return pass_(_("Shopify Payments is active (%(currency)s)."), currency=status.default_currency, details={"country": status.country})


@check(code="shopify.app_scopes", title=_("OrderGuard has the Shopify permissions it needs"), group="shopify", cheap=True)
def app_scopes(ctx: CheckContext) -> Outcome:
    granted = {scope.strip() for scope in ctx.shop.scopes.split(",") if scope.strip()}
    granted |= {scope.replace("write_", "read_", 1) for scope in granted if scope.startswith("write_")}
    missing = [scope for scope in REQUIRED_SCOPES if scope not in granted]
    if missing:
        return warning(_("OrderGuard lacks the Shopify permissions %(scopes)s. Open the app from Shopify admin to approve them."),
                       fix_url=links.shopify_admin(ctx.shop, "apps/orderguard"), scopes=", ".join(missing), details={"missing": missing})
    return pass_(_("Every Shopify permission OrderGuard needs is granted."))
