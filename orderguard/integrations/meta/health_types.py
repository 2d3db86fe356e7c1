"""Typed answers of the Graph reads the health checks use: setup status with Meta's reasons and help
links, the Shops and their Facebook/Instagram sales channels, and the account's checkout settings."""

from __future__ import annotations

from dataclasses import dataclass

ONSITE_CHECKOUT = "ONSITE_CHECKOUT"


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ReviewReason:
    code: str
    message: str
    help_url: str


@dataclass(frozen=True)
class SetupStatusDetail:
    """/{cms-id}/setup_status: shop, payments and review, with the review's reasons."""

    shop_setup: str
    payment_setup: str
    review_status: str
    reasons: tuple[ReviewReason, ...] = ()

    @classmethod
    def from_api(cls, data: dict) -> SetupStatusDetail:
        review = _dict(data.get("review_status"))
        reasons = tuple(
            ReviewReason(code=_text(_dict(r).get("code")), message=_text(_dict(r).get("message")), help_url=_text(_dict(r).get("help_url")))
            for r in review.get("reasons") or ()
        )
        return cls(shop_setup=_text(data.get("shop_setup")), payment_setup=_text(data.get("payment_setup")),
                   review_status=_text(review.get("status")), reasons=reasons)


@dataclass(frozen=True)
class MetaShop:
    """A Shop of the commerce account (/{cms-id}/shops) and the status of its two sales channels."""

    id: str
    facebook_status: str
    instagram_status: str
    shop_status: str

    @classmethod
    def from_api(cls, data: dict) -> MetaShop:
        return cls(id=_text(data.get("id")), facebook_status=_text(_dict(data.get("fb_sales_channel")).get("status")),
                   instagram_status=_text(_dict(data.get("ig_sales_channel")).get("status")), shop_status=_text(data.get("shop_status")))


@dataclass(frozen=True)
class CheckoutSettings:
    """Where buyers pay. `cta` is ONSITE_CHECKOUT for checkout on Facebook/Instagram (and may be gone from
    the API: research meta-commerce-api.md §5.5); `onsite_commerce_merchant` only exists for onsite shops."""

    cta: str
    onsite_merchant: bool
    offsite_countries: tuple[str, ...]

    @property
    def mode(self) -> str:
        """"onsite", "website" or "unknown"."""
        if self.cta == ONSITE_CHECKOUT or self.onsite_merchant:
            return "onsite"
        if self.cta or self.offsite_countries:
            return "website"
        return "unknown"

    @classmethod
    def from_api(cls, data: dict) -> CheckoutSettings:
        return cls(cta=_text(data.get("cta")), onsite_merchant=bool(_dict(data.get("onsite_commerce_merchant")).get("id")),
                   offsite_countries=tuple(_text(c) for c in data.get("offsite_iab_checkout_enabled_countries") or ()))
