"""Reads for the remedies, always scoped by shop or by an order of the shop.

Each remedy keeps its reads in its own section: the apology email's draft and history first.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr

from django.conf import settings

from orderguard.orders.models import SocialOrder
from orderguard.remediation.apology import (
    SUPPORTED_LANGUAGES,
    ApologyDraft,
    ApologyFacts,
    ApologyLine,
    apology_draft,
    apology_language,
    mailto_link,
    one_line,
)
from orderguard.remediation.models import FINAL_STEPS, RemediationAction
from orderguard.shops.models import Shop

# The apology email
# ------------------------------------------------------------------------------------------------------

# Meta gives the merchant a relay address for the buyer (…@marketplace.facebook.com, …@commerce.facebook.com;
# research/meta-commerce-api.md, buyer_details): it forwards to the buyer, for customer service only.
RELAY_DOMAIN_SUFFIX = ".facebook.com"
DISCOUNT_LIMIT = 40


def buyer_address_is_relay(email: str) -> bool:
    domain = email.rpartition("@")[2].strip().lower()
    return domain.endswith(RELAY_DOMAIN_SUFFIX) or domain == "facebookmail.com"


def order_store_link(*, order: SocialOrder) -> str:
    """The direct store link (the draft order's invoice URL) an earlier cancel-and-link of the order made."""
    results = RemediationAction.objects.filter(
        shop_id=order.shop_id, order=order, kind=RemediationAction.Kind.CANCEL_AND_LINK
    ).order_by("-created_at", "-pk").values_list("result", flat=True)
    for result in results:
        if isinstance(result, dict) and (result.get("invoice_url") or result.get("store_link_url")):
            return str(result.get("invoice_url") or result["store_link_url"])
    return ""


def apology_from_address(*, shop: Shop) -> str:
    """The shop writes to its buyer: its contact address under its name; else the app's DEFAULT_FROM_EMAIL."""
    if shop.contact_email:
        return formataddr((one_line(shop.name, 80), shop.contact_email))
    return settings.DEFAULT_FROM_EMAIL


def apology_actions(*, order: SocialOrder) -> list[RemediationAction]:
    """The order's apology emails, newest first (what the drawer lists, with who sent each and when)."""
    return list(RemediationAction.objects.filter(
        shop_id=order.shop_id, order=order, kind=RemediationAction.Kind.APOLOGY_EMAIL
    ).order_by("-created_at", "-pk"))


def apology_action_get(*, shop: Shop, action_id: int) -> RemediationAction | None:
    return RemediationAction.objects.select_related("order").filter(
        shop=shop, pk=action_id, kind=RemediationAction.Kind.APOLOGY_EMAIL
    ).first()


@dataclass(frozen=True)
class ApologyComposition:
    """Everything the draft form shows for one order: the draft and why it says what it says."""

    order: SocialOrder
    draft: ApologyDraft
    to: str
    relay: bool  # the buyer's address is Meta's relay: customer service only
    remarketing_allowed: bool
    store_link: str  # from an earlier cancel-and-link, "" if none
    include_link: bool
    discount: str
    discount_withheld: bool  # the merchant asked for a discount, but the buyer did not opt in
    from_address: str
    mailto: str  # "" when the buyer has no usable address
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES

    @property
    def can_send(self) -> bool:
        return bool(self.mailto)


def apology_compose(*, shop: Shop, order: SocialOrder, language: str = "", include_link: bool = True, discount: str = "") -> ApologyComposition:
    """The draft in the buyer's language (the merchant's choice, else guessed from the shipping country)."""
    language = apology_language(country_code=(order.shipping_address or {}).get("country", ""), override=language)
    store_link = order_store_link(order=order)
    discount = one_line(discount, DISCOUNT_LIMIT)
    facts = ApologyFacts(
        shop_name=shop.name or shop.handle,
        meta_order_id=order.meta_order_id,
        lines=tuple(ApologyLine(name=str(item.get("product_name") or item.get("retailer_id") or ""), quantity=int(item.get("quantity") or 1))
                    for item in order.items or () if isinstance(item, dict)),
        remarketing_allowed=order.email_remarketing_option,
        buyer_name=order.buyer_name,
        channel=order.channel,
        order_date=order.meta_created_at.date() if order.meta_created_at else None,
        order_cancelled=order.meta_cancelled,
        store_link=store_link if include_link else "",
        discount=discount,
    )
    draft = apology_draft(facts=facts, language=language)
    to = one_line(order.buyer_email, 254)
    try:
        mailto = mailto_link(to=to, subject=draft.subject, body=draft.body) if to else ""
    except ValueError:
        mailto = ""
    return ApologyComposition(
        order=order, draft=draft, to=to, relay=buyer_address_is_relay(to), remarketing_allowed=order.email_remarketing_option,
        store_link=store_link, include_link=include_link and bool(store_link), discount=discount,
        discount_withheld="discount" in draft.withheld, from_address=apology_from_address(shop=shop), mailto=mailto,
    )


def apology_live_action(*, order: SocialOrder) -> RemediationAction | None:
    """An apology of the order still on its way (not final), if any: a second one waits for it."""
    return RemediationAction.objects.filter(
        shop_id=order.shop_id, order=order, kind=RemediationAction.Kind.APOLOGY_EMAIL
    ).exclude(step__in=FINAL_STEPS).first()
