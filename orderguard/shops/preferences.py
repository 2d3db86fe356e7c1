"""A shop's preferences (the Settings page): read with the global defaults until the merchant saves
their own, and saved within the limits below."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

from orderguard.shops.models import Shop, ShopPreferences

# Below 15 minutes Meta's own review (about 30 minutes) would flag healthy orders; a day is the most
# that still leaves time to act within Meta's 30-day window.
GRACE_MINUTES_RANGE = (15, 24 * 60)
# Meta cancels at 30 days: a warning must come before that.
WARNING_DAYS_RANGE = (1, 29)


def shop_preferences(*, shop: Shop) -> ShopPreferences:
    """The shop's saved preferences, or (never saved) an unsaved row holding today's global defaults, so
    a change of the defaults reaches every shop that did not choose its own."""
    # A poll loads the shop with select_related("preferences"): then this costs no query of its own.
    related = Shop._meta.get_field("preferences")
    saved = related.get_cached_value(shop) if related.is_cached(shop) else ShopPreferences.objects.filter(shop=shop).first()
    return saved or ShopPreferences(
        shop=shop, grace_minutes=settings.STUCK_GRACE_MINUTES, auto_cancel_warning_days=settings.AUTO_CANCEL_WARNING_DAYS
    )


def link_choice_error(*, store_link: str, link_sending: str) -> str:
    """Why this pair of store link and sending is not possible, or "" (Shopify's invoice email exists
    only for a draft order)."""
    if store_link not in ShopPreferences.StoreLink.values:
        return f"unknown store link {store_link!r}"
    if link_sending not in ShopPreferences.LinkSending.values:
        return f"unknown sending {link_sending!r}"
    if store_link == ShopPreferences.StoreLink.CART and link_sending == ShopPreferences.LinkSending.SHOPIFY_INVOICE:
        return "a cart permalink has no Shopify invoice email: send it with the app's own email"
    return ""


def shop_preferences_update(
    *, shop: Shop, grace_minutes: int, auto_cancel_warning_days: int, buyer_email_language: str,
    store_link: str = ShopPreferences.StoreLink.DRAFT_ORDER, link_sending: str = ShopPreferences.LinkSending.SHOPIFY_INVOICE,
) -> ShopPreferences:
    """Save the merchant's choices (the row is created on the first save). Raises ValidationError for a
    value outside its limits; the Settings form checks the same limits first and words them for the page."""
    _check_range("grace_minutes", grace_minutes, GRACE_MINUTES_RANGE)
    _check_range("auto_cancel_warning_days", auto_cancel_warning_days, WARNING_DAYS_RANGE)
    if buyer_email_language not in ShopPreferences.EmailLanguage.values:
        raise ValidationError({"buyer_email_language": f"unknown language choice {buyer_email_language!r}"})
    problem = link_choice_error(store_link=store_link, link_sending=link_sending)
    if problem:
        raise ValidationError({"link_sending": problem})
    preferences, _ = ShopPreferences.objects.update_or_create(
        shop=shop,
        defaults={
            "grace_minutes": grace_minutes,
            "auto_cancel_warning_days": auto_cancel_warning_days,
            "buyer_email_language": buyer_email_language,
            "store_link": store_link,
            "link_sending": link_sending,
        },
    )
    return preferences


def _check_range(name: str, value: int, limits: tuple[int, int]) -> None:
    low, high = limits
    if not low <= value <= high:
        raise ValidationError({name: f"must be between {low} and {high}, not {value}"})
