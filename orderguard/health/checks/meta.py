"""Checks of the Meta side: the token (/debug_token), the commerce account, its setup status, its sales
channels, its checkout mode and the app that acknowledges its orders."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.db.models import Max
# Messages are marked, not translated, here: they are stored and translated when shown (registry.py).
from django.utils.translation import gettext_noop as _

from orderguard.health import links
from orderguard.health.context import CheckContext
from orderguard.health.registry import Outcome, check, failing, pass_, unknown, warning
from orderguard.integrations.meta.errors import MetaAuthError, MetaError, MetaPermissionError
from orderguard.orders.models import ShopifySocialOrder

EXPIRY_WARNING = timedelta(days=7)
ORDER_SCOPES = ("commerce_account_read_orders", "commerce_account_manage_orders")
SETTINGS_SCOPES = ("commerce_account_read_settings", "commerce_manage_accounts")
SHOPIFY_META_APP_ID = "2329312"
NOT_CONNECTED = _("Meta is not connected, so this cannot be checked. Connect your commerce account first.")


def _not_connected(ctx: CheckContext) -> Outcome | None:
    if ctx.connection is None:
        return unknown(NOT_CONNECTED, fix_url=links.app_page("dashboard:meta"))
    return None


@check(code="meta.token_valid", title=_("Meta access is valid"), group="meta", cheap=True, explains_all_orders=True,
       cause=_("Meta access expired or was revoked"))
def token_valid(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    info = ctx.token_info()
    if not info.is_valid:
        reason = str((info.error or {}).get("message") or "")
        return failing(_("Meta no longer accepts OrderGuard's access (%(reason)s). Reconnect your commerce account."),
                       fix_url=links.app_page("dashboard:meta"), reason=reason or "invalid", details={"error": info.error or {}})
    # Meta's token type (SYSTEM_USER, USER, PAGE) is for support, in the details, not in the merchant's sentence.
    return pass_(_("Meta accepts OrderGuard's access."), details={"token_type": info.type or ""})


@check(code="meta.token_expiry", title=_("Meta access does not expire soon"), group="meta", cheap=True)
def token_expiry(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    expires = ctx.token_info().expires_at
    if expires is None:
        return pass_(_("The access token does not expire."))
    days = max((expires - ctx.now).days, 0)
    details = {"expires_at": expires.isoformat()}
    if expires <= ctx.now:
        return failing(_("The access token expired on %(date)s. Reconnect your commerce account."),
                       fix_url=links.app_page("dashboard:meta"), date=expires.date().isoformat(), details=details)
    if expires - ctx.now <= EXPIRY_WARNING:
        return warning(_("The access token expires in %(days)s days (%(date)s). Reconnect before then so checks do not stop."),
                       fix_url=links.app_page("dashboard:meta"), days=days, date=expires.date().isoformat(), details=details)
    return pass_(_("The access token is valid until %(date)s."), date=expires.date().isoformat(), details=details)


@check(code="meta.data_access_expiry", title=_("Meta data access does not expire soon"), group="meta", cheap=True)
def data_access_expiry(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    expires = ctx.token_info().data_access_expires_at
    if expires is None:
        return pass_(_("Data access does not expire for this token."))
    details = {"data_access_expires_at": expires.isoformat()}
    if expires <= ctx.now:
        return failing(_("Meta stopped OrderGuard's access to your orders on %(date)s (data access lasts 90 days). Reconnect to renew it."),
                       fix_url=links.app_page("dashboard:meta"), date=expires.date().isoformat(), details=details)
    if expires - ctx.now <= EXPIRY_WARNING:
        return warning(_("Data access ends in %(days)s days (%(date)s). Reconnect to renew it for another 90 days."),
                       fix_url=links.app_page("dashboard:meta"), days=max((expires - ctx.now).days, 0), date=expires.date().isoformat(), details=details)
    return pass_(_("Data access lasts until %(date)s."), date=expires.date().isoformat(), details=details)


@check(code="meta.permissions", title=_("The permissions OrderGuard needs are granted"), group="meta", cheap=True,
       explains_all_orders=True, cause=_("a Meta permission is missing"))
def permissions(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    scopes = set(ctx.token_info().scopes)
    details = {"granted": sorted(scopes)}
    if not scopes & set(ORDER_SCOPES):
        return failing(_("The permission to read orders (%(scope)s) is not granted. Reconnect and allow it."),
                       fix_url=links.app_page("dashboard:meta"), scope=ORDER_SCOPES[0], details=details)
    if not scopes & set(SETTINGS_SCOPES):
        return warning(_("The permission to read the shop's settings (%(scope)s) is not granted, so setup and channel checks cannot run."),
                       fix_url=links.app_page("dashboard:meta"), scope=SETTINGS_SCOPES[0], details=details)
    return pass_(_("Reading orders and shop settings is allowed."), details=details)


@check(code="meta.account_in_targets", title=_("The access covers your commerce account"), group="meta", cheap=True,
       explains_all_orders=True, cause=_("the access does not cover the commerce account"))
def account_in_targets(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    info = ctx.token_info()
    targets = {target for scope in ORDER_SCOPES for target in info.targets_for(scope)}
    if not targets or ctx.cms_id in targets:
        return pass_(_("The access covers commerce account %(cms_id)s."), cms_id=ctx.cms_id)
    return failing(_("The access was granted for other commerce accounts, not %(cms_id)s. Reconnect and select this account."),
                   fix_url=links.app_page("dashboard:meta"), cms_id=ctx.cms_id, details={"targets": sorted(targets)})


@check(code="meta.account_reachable", title=_("The commerce account can be reached"), group="meta", cheap=True,
       explains_all_orders=True, cause=_("the commerce account cannot be reached"))
def account_reachable(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    try:
        account = ctx.commerce_account()
    except (MetaAuthError, MetaPermissionError) as error:
        outcome = failing(_("Meta refused to show commerce account %(cms_id)s (%(reason)s). Reconnect your commerce account."),
                          fix_url=links.app_page("dashboard:meta"), cms_id=ctx.cms_id, reason=error.message)
        return replace(outcome, error_ids=meta_error_ids(error))
    if account.merchant_status == "EXTERNALLY_DISABLED":
        return failing(_("Meta disabled commerce account %(name)s. Commerce Manager says why and how to appeal."),
                       fix_url=links.commerce_manager(ctx.cms_id), name=account.name)
    return pass_(_("Commerce account %(name)s answers."), name=account.name or ctx.cms_id)


@check(code="meta.setup_status", title=_("The Meta shop is set up and approved"), group="meta")
def setup_status(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    status = ctx.setup_status()
    details = {"shop_setup": status.shop_setup, "payment_setup": status.payment_setup, "review_status": status.review_status,
               "reasons": [{"code": r.code, "message": r.message, "help_url": r.help_url} for r in status.reasons]}
    fix = next((r.help_url for r in status.reasons if r.help_url), "") or links.commerce_manager(ctx.cms_id, "settings")
    params = {"shop": status.shop_setup or "?", "payments": status.payment_setup or "?", "review": status.review_status or "?",
              "reasons": "; ".join(r.message for r in status.reasons if r.message) or "-"}
    if status.shop_setup in ("NOT_SETUP", "EXTERNALLY_DISABLED") or status.review_status == "REJECTED" or status.payment_setup == "NOT_SETUP":
        return failing(_("Meta's setup status: shop %(shop)s, payments %(payments)s, review %(review)s. Meta's reasons: %(reasons)s"),
                       fix_url=fix, details=details, **params)
    if status.shop_setup != "SETUP" or status.payment_setup != "SETUP" or status.review_status not in ("APPROVED", ""):
        return warning(_("Meta's setup status: shop %(shop)s, payments %(payments)s, review %(review)s. Meta's reasons: %(reasons)s"),
                       fix_url=fix, details=details, **params)
    return pass_(_("Shop, payments and review are in order on Meta."), details=details)


@check(code="meta.sales_channels", title=_("Facebook and Instagram sales channels are on"), group="meta",
       explains_all_orders=True, cause=_("a sales channel is turned off on Meta"))
def sales_channels(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    shops = ctx.meta_shops()
    if not shops:
        return unknown(_("Meta lists no shop for this commerce account."), fix_url=links.commerce_manager(ctx.cms_id))
    off = sorted({name for shop in shops for name, status in (("Facebook", shop.facebook_status), ("Instagram", shop.instagram_status))
                  if status and status != "ENABLED"})
    details = {"shops": [{"id": s.id, "facebook": s.facebook_status, "instagram": s.instagram_status, "shop_status": s.shop_status} for s in shops]}
    if off:
        return failing(_("The %(channels)s sales channel is turned off on Meta. Turn it on in Commerce Manager, then reconnect the channel."),
                       fix_url=links.commerce_manager(ctx.cms_id, "settings"), channels=" & ".join(off), details=details)
    return pass_(_("Both sales channels are on."), details=details)


@check(code="meta.checkout_mode", title=_("Where buyers check out"), group="meta")
def checkout_mode(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    settings = ctx.checkout()
    details = {"mode": settings.mode, "cta": settings.cta, "offsite_countries": list(settings.offsite_countries)}
    if settings.mode == "website":
        return warning(_("Buyers check out on your website, so no new order can get stuck at Meta any more. "
                          "OrderGuard still watches the channel connection and the older orders that are still open."),
                       fix_url=links.commerce_manager(ctx.cms_id, "settings"), details=details)
    if settings.mode == "onsite":
        return pass_(_("Buyers check out on Facebook and Instagram: each order must reach Shopify, and OrderGuard watches that it does."),
                     details=details)
    return unknown(_("Meta did not say where buyers check out."), fix_url=links.commerce_manager(ctx.cms_id, "settings"), details=details)


@check(code="meta.order_management_app", title=_("An app acknowledges your orders on Meta"), group="meta", cheap=True,
       explains_all_orders=True, cause=_("no app acknowledges the orders on Meta"))
def order_management_app(ctx: CheckContext) -> Outcome:
    if (missing := _not_connected(ctx)) is not None:
        return missing
    apps = ctx.order_management_apps()
    details = {"apps": [{"id": app.id, "name": app.name} for app in apps]}
    if not apps:
        return failing(_("No app is registered to manage this account's orders, so Shopify's channel does not pick them up. "
                          "Reconnect the Facebook & Instagram channel in Shopify."),
                       fix_url=links.channel(ctx.shop), details=details)
    names = ", ".join(app.name or app.id for app in apps)
    if not any(app.id == SHOPIFY_META_APP_ID for app in apps):
        return warning(_("Orders are managed by %(apps)s, not by Shopify's channel: they reach Shopify only if that app sends them."),
                       fix_url=links.channel(ctx.shop), apps=names, details=details)
    return pass_(_("Orders are acknowledged by %(apps)s."), apps=names, details=details)


def meta_error_ids(error: MetaError) -> dict:
    return {"fbtrace_id": error.fbtrace_id} if error.fbtrace_id else {}


@check(code="meta.orders_acknowledged", title=_("Orders are acknowledged and reach Shopify"), group="meta", cheap=True,
       explains_all_orders=True, cause=_("Shopify's channel stopped acknowledging orders"))
def orders_acknowledged(ctx: CheckContext) -> Outcome:
    """The age of the oldest order waiting in CREATED against the last order that reached Shopify."""
    waiting = [order for order in ctx.stuck if order.meta_state == "CREATED" and not order.shopify_order_id]
    last = ShopifySocialOrder.objects.filter(shop=ctx.shop).exclude(meta_order_id="").aggregate(at=Max("shopify_created_at"))["at"]
    details = {"waiting": len(waiting), "last_reached_shopify_at": last.isoformat() if last else None}
    if not waiting:
        return pass_(_("No order is waiting for Shopify to acknowledge it."), details=details)
    oldest = min(order.meta_created_at for order in waiting)
    details["oldest_waiting_since"] = oldest.isoformat()
    params = {"count": len(waiting), "age": _hours(ctx.now - oldest), "last": _hours(ctx.now - last) if last else "-"}
    if last is not None and last > oldest:
        return warning(_("%(count)s orders wait for acknowledgement (the oldest for %(age)s h), though orders still reached Shopify %(last)s h ago."),
                       fix_url=links.channel(ctx.shop), details=details, **params)
    return failing(_("%(count)s orders wait for acknowledgement, the oldest for %(age)s h; no order has reached Shopify since (last one: %(last)s h ago). "
                      "Shopify's channel has stopped acknowledging."), fix_url=links.channel(ctx.shop), details=details, **params)


def _hours(duration: timedelta) -> int:
    return max(int(duration.total_seconds() // 3600), 0)
