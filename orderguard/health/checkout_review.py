"""The checkout-settings review: Meta's side and Shopify's side of each setting next to each other, read
from what the checks stored and the orders OrderGuard keeps (never a platform call), each mismatch with
its fix. Where buyers pay is the merchant's choice; a mismatch is a setting that breaks the choice made.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orderguard.health import links
from orderguard.health.models import HealthCheckResult, Result
from orderguard.health.selectors import render_message
from orderguard.orders.models import SocialOrder
from orderguard.shops.models import Shop

RECENT_ORDERS = 500  # the Meta orders whose countries and currencies the review looks at


class Verdict:
    MATCH = "match"
    MISMATCH = "mismatch"
    NOTE = "note"  # a choice or a fact worth knowing, nothing to fix
    UNKNOWN = "unknown"  # a side has not been read yet


@dataclass(frozen=True)
class ReviewRow:
    code: str
    topic: str
    meta: str
    shopify: str
    verdict: str
    advice: str = ""
    fix_url: str = ""
    fix_label: str = ""

    @property
    def fix_is_external(self) -> bool:
        return not self.fix_url.startswith("/")


@dataclass(frozen=True)
class CheckoutReview:
    mode: str  # "onsite", "website" or "unknown" (meta.checkout_mode)
    rows: list[ReviewRow]
    checked: bool  # any of the checks behind the review has run

    @property
    def mismatches(self) -> int:
        return sum(1 for row in self.rows if row.verdict == Verdict.MISMATCH)


def _join(values) -> str:
    return ", ".join(sorted(values)) or "—"


class _Stored:
    """The stored results of one shop by code."""

    def __init__(self, shop: Shop):
        self.results = {r.code: r for r in HealthCheckResult.objects.filter(shop=shop)}

    def result(self, code: str) -> str:
        stored = self.results.get(code)
        return stored.result if stored else ""

    def details(self, code: str) -> dict:
        stored = self.results.get(code)
        return (stored.details or {}) if stored else {}

    def text(self, code: str) -> str:
        stored = self.results.get(code)
        return render_message(stored.message, stored.params) if stored else _("Not checked yet.")

    def fix(self, code: str) -> str:
        stored = self.results.get(code)
        return stored.fix_url if stored else ""


def _mode_row(stored: _Stored, cms_fix: str, mode: str) -> ReviewRow:
    installed = stored.result("shopify.channel_installed")
    shopify = {Result.PASS: _("Facebook & Instagram channel installed"), Result.FAILING: _("Facebook & Instagram channel not installed")}.get(
        installed, _("Not checked yet."))
    topic = _("Checkout mode")
    if mode == "onsite":
        if installed == Result.FAILING:
            return ReviewRow("checkout_mode", topic, _("On Facebook and Instagram"), shopify, Verdict.MISMATCH,
                             _("Buyers pay on Facebook and Instagram, but the channel that brings those orders into Shopify is not installed."),
                             stored.fix("shopify.channel_installed"), _("Install the channel"))
        return ReviewRow("checkout_mode", topic, _("On Facebook and Instagram"), shopify,
                         Verdict.MATCH if installed == Result.PASS else Verdict.UNKNOWN,
                         _("Every order is paid on Meta and must reach Shopify; OrderGuard watches that it does."))
    if mode == "website":
        return ReviewRow("checkout_mode", topic, _("On your website"), shopify, Verdict.NOTE,
                         _("Buyers pay in your Shopify store, so no new order can get stuck at Meta. OrderGuard still watches the channel and the older orders that are still open. "
                           "To let buyers pay on Facebook and Instagram again, change it in Commerce Manager."),
                         cms_fix, _("Open Commerce Manager"))
    if not stored.result("meta.checkout_mode"):
        return ReviewRow("checkout_mode", topic, _("Not checked yet."), shopify, Verdict.UNKNOWN)
    return ReviewRow("checkout_mode", topic, _("Meta did not say"), shopify, Verdict.UNKNOWN, stored.text("meta.checkout_mode"),
                     cms_fix, _("Open Commerce Manager"))

def _countries_row(stored: _Stored, shop: Shop, buyer_countries: set[str]) -> ReviewRow:
    coverage = stored.details("shopify.shipping_coverage")
    topic = _("Countries")
    meta = _("Buyers in %(countries)s") % {"countries": _join(buyer_countries)} if buyer_countries else _("No buyer country known yet")
    if "countries" not in coverage:
        return ReviewRow("countries", topic, meta, _("Not checked yet."), Verdict.UNKNOWN,
                         _("OrderGuard reads your shipping zones when an order is stuck."))
    zones = set(coverage["countries"])
    shopify = _("Shipping zones: %(countries)s") % {"countries": _join(zones)}
    if coverage.get("rest_of_world"):
        shopify = shopify + " " + _("and the rest of the world") if zones else _("Every country (a rest-of-the-world zone)")
        return ReviewRow("countries", topic, meta, shopify, Verdict.MATCH)
    missing = buyer_countries - zones
    if missing:
        return ReviewRow("countries", topic, meta, shopify, Verdict.MISMATCH,
                         _("Buyers order from %(countries)s, where your shipping zones do not deliver. Add these countries to a shipping zone.") % {"countries": _join(missing)},
                         links.shopify_admin(shop, "settings/shipping"), _("Open shipping settings"))
    return ReviewRow("countries", topic, meta, shopify, Verdict.MATCH)


def _currency_row(stored: _Stored, shop: Shop, order_currencies: set[str]) -> ReviewRow:
    topic = _("Currency")
    payments = stored.results.get("shopify.payments")
    shop_currencies = {c for c in (shop.currency_code, (payments.params or {}).get("currency") if payments and payments.result == Result.PASS else "") if c}
    meta = _("Orders in %(currencies)s") % {"currencies": _join(order_currencies)} if order_currencies else _("No order yet")
    shopify = _("Store currency %(currencies)s") % {"currencies": _join(shop_currencies)} if shop_currencies else _("Not checked yet.")
    if not order_currencies or not shop_currencies:
        return ReviewRow("currency", topic, meta, shopify, Verdict.UNKNOWN)
    other = order_currencies - shop_currencies
    if other:
        return ReviewRow("currency", topic, meta, shopify, Verdict.MISMATCH,
                         _("Meta sells in %(currencies)s, which is not your store's currency: the channel syncs prices in the store's currency. Check the store currency and the channel's catalog.") % {"currencies": _join(other)},
                         links.shopify_admin(shop, "settings/general"), _("Open store details"))
    return ReviewRow("currency", topic, meta, shopify, Verdict.MATCH)


def _payments_row(stored: _Stored, shop: Shop, mode: str, cms_fix: str) -> ReviewRow:
    topic = _("Payments")
    setup = stored.details("meta.setup_status")
    meta = _("Payments on Meta: %(status)s") % {"status": setup["payment_setup"]} if setup.get("payment_setup") else _("Not checked yet.")
    shopify_result = stored.result("shopify.payments")
    shopify = stored.text("shopify.payments")
    if setup.get("payment_setup") == "NOT_SETUP" and mode == "onsite":
        return ReviewRow("payments", topic, meta, shopify, Verdict.MISMATCH,
                         _("Buyers pay on Facebook and Instagram, but payments are not set up on Meta."),
                         stored.fix("meta.setup_status") or cms_fix, _("Open Commerce Manager"))
    if shopify_result == Result.FAILING and mode == "onsite":
        return ReviewRow("payments", topic, meta, shopify, Verdict.MISMATCH,
                         _("Checkout on Facebook and Instagram needs Shopify Payments. Activate it, or let buyers pay on your website."),
                         stored.fix("shopify.payments"), _("Open payment settings"))
    if mode == "website":
        return ReviewRow("payments", topic, meta, shopify, Verdict.NOTE, _("Buyers pay in your store, with your store's payment methods."))
    if shopify_result == Result.PASS and setup.get("payment_setup") == "SETUP":
        return ReviewRow("payments", topic, meta, shopify, Verdict.MATCH)
    return ReviewRow("payments", topic, meta, shopify, Verdict.UNKNOWN, "", stored.fix("shopify.payments"), _("Open payment settings"))


def _shipping_row(stored: _Stored, stuck: int) -> ReviewRow:
    topic = _("Shipping coverage")
    meta = ngettext("%(count)s order stuck", "%(count)s orders stuck", stuck) % {"count": stuck}
    result = stored.result("shopify.shipping_coverage")
    shopify = stored.text("shopify.shipping_coverage")
    if result == Result.FAILING:
        return ReviewRow("shipping", topic, meta, shopify, Verdict.MISMATCH,
                         _("The channel cannot import an order to a country without a shipping rate."),
                         stored.fix("shopify.shipping_coverage"), _("Open shipping settings"))
    return ReviewRow("shipping", topic, meta, shopify, Verdict.MATCH if result == Result.PASS else Verdict.UNKNOWN)


def _app_row(stored: _Stored) -> ReviewRow:
    topic = _("Order management app")
    apps = stored.details("meta.order_management_app").get("apps")
    result = stored.result("meta.order_management_app")
    meta = _join(app.get("name") or app.get("id") for app in apps) if apps else (_("None") if result else _("Not checked yet."))
    installed = stored.result("shopify.channel_installed")
    shopify = {Result.PASS: _("Facebook & Instagram channel installed"), Result.FAILING: _("Facebook & Instagram channel not installed")}.get(
        installed, _("Not checked yet."))
    if result in (Result.FAILING, Result.WARNING):
        return ReviewRow("order_management_app", topic, meta, shopify, Verdict.MISMATCH, stored.text("meta.order_management_app"),
                         stored.fix("meta.order_management_app"), _("Open the Facebook & Instagram channel"))
    return ReviewRow("order_management_app", topic, meta, shopify, Verdict.MATCH if result == Result.PASS else Verdict.UNKNOWN)


def checkout_review(*, shop: Shop) -> CheckoutReview:
    stored = _Stored(shop)
    mode = stored.details("meta.checkout_mode").get("mode") or "unknown"
    cms_fix = stored.fix("meta.checkout_mode") or stored.fix("meta.setup_status")
    orders = list(SocialOrder.objects.filter(shop=shop).order_by("-meta_created_at").values("shipping_address", "currency")[:RECENT_ORDERS])
    countries = {str((o["shipping_address"] or {}).get("country") or "").upper() for o in orders} - {""}
    currencies = {o["currency"] for o in orders if o["currency"]}
    stuck = SocialOrder.objects.filter(shop=shop, needs_action=True).count()
    rows = [_mode_row(stored, cms_fix, mode), _countries_row(stored, shop, countries), _currency_row(stored, shop, currencies),
            _payments_row(stored, shop, mode, cms_fix), _shipping_row(stored, stuck), _app_row(stored)]
    return CheckoutReview(mode=mode, rows=rows, checked=bool(stored.results))
