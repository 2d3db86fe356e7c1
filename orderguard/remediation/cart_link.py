"""The cart-permalink store link: a link to the shop's own storefront cart with the same variants, the
apology discount as a single-use code, and a cart attribute naming the Meta order; and OrderGuard's own
email that sends a store link (the only way to send a cart link: it has no Shopify invoice).

Pure helpers and the email step's message; the steps themselves run in cancel_and_link.py.

Shopify's cart permalink (https://shopify.dev/docs/apps/build/checkout/create-cart-permalinks):
`https://<storefront>/cart/<variant id>:<quantity>,<variant id>:<quantity>?discount=<CODE>`, numeric
variant ids; `attributes[<key>]=<value>` sets a cart attribute, which the order carries as a note
attribute (`note_attributes` in orders/create), so recovery can tie the buyer's order to the Meta order.

The code is derived from the action's idempotency key (`discount_code_for`), so a retry after a crash
between creating the code and recording it finds the same code (`discount_code_by_code`, or Shopify's
TAKEN) instead of making a second one. Shopify has no 0-value discount: without an apology discount no
code is made and the link carries the attribute only.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _

from orderguard.shops.models import Shop, ShopPreferences

DISCOUNT_SCOPE = "write_discounts"
LINK_DRAFT, LINK_CART = ShopPreferences.StoreLink.DRAFT_ORDER.value, ShopPreferences.StoreLink.CART.value
SEND_INVOICE, SEND_APP_EMAIL = ShopPreferences.LinkSending.SHOPIFY_INVOICE.value, ShopPreferences.LinkSending.APP_EMAIL.value
CODE_PREFIX = "SORRY-"
CODE_VALID_DAYS = 30


def discount_code_for(idempotency_key: str) -> str:
    """The action's code: the same for every retry of one action, different for any other action."""
    digest = hashlib.sha256(f"orderguard-cart-code:{idempotency_key}".encode()).digest()
    return CODE_PREFIX + base64.b32encode(digest).decode()[:10]


def has_scope(scopes: str, scope: str) -> bool:
    return scope in {item.strip() for item in (scopes or "").split(",")}


def needs_discount_scope(*, link: str, discount: dict | None) -> bool:
    """A cart link with an apology discount makes a code, which needs write_discounts (optional scope)."""
    return link == LINK_CART and bool(discount)


def link_options_refusal(*, shop: Shop, link: str, send_by: str, discount: dict | None) -> str:
    """Why these link options cannot run for the shop, in the merchant's words; "" when they can."""
    if link not in (LINK_DRAFT, LINK_CART) or send_by not in (SEND_INVOICE, SEND_APP_EMAIL):
        return _("Choose a store link and how it is sent.")
    if link == LINK_CART and send_by == SEND_INVOICE:
        return _("A cart permalink has no Shopify invoice email: choose OrderGuard's own email.")
    if needs_discount_scope(link=link, discount=discount) and not has_scope(shop.scopes, DISCOUNT_SCOPE):
        return scope_missing_message()
    return ""


def scope_missing_message() -> str:
    return _("A cart link with an apology discount needs your approval for discount codes (write_discounts). Approve it on the confirmation (or in Settings), or send the link without a discount; nothing was cancelled.")


def storefront_base(shop: Shop) -> str:
    return (shop.primary_domain_url or f"https://{shop.domain}").rstrip("/")


def numeric_variant_id(variant_gid: str) -> str:
    return str(variant_gid).rsplit("/", 1)[-1]


def cart_permalink(*, base_url: str, lines: Sequence[tuple[str, int]], code: str, attributes: Sequence[tuple[str, str]]) -> str:
    """`<base>/cart/<id>:<qty>,...?discount=CODE&attributes[key]=value` (lines: numeric variant id, quantity)."""
    items = ",".join(f"{numeric_variant_id(variant)}:{int(quantity)}" for variant, quantity in lines)
    query = [("discount", code)] if code else []
    query += [(f"attributes[{key}]", value) for key, value in attributes]
    return f"{base_url}/cart/{items}" + (f"?{urlencode(query, quote_via=quote, safe='[]')}" if query else "")


def link_email_subject(*, shop_name: str) -> str:
    return _("Your order from %(shop)s: order the same items directly from our store") % {"shop": shop_name}


def link_email_body(*, message: str, url: str, code: str, expires: str) -> str:
    lines = [message.strip(), "", _("Your link:"), url, ""]
    if code:
        lines += [_("Your apology discount code %(code)s is already in the link; it can be used once, until %(date)s.") % {"code": code, "date": expires}, ""]
    return "\n".join(lines)
