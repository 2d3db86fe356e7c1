"""The app's forms: what a merchant may type, checked and worded for the page before a service sees it."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orderguard.shops.models import ShopPreferences
from orderguard.shops.preferences import GRACE_MINUTES_RANGE, WARNING_DAYS_RANGE, link_choice_error

EMAIL_LANGUAGE_CHOICES = [
    (ShopPreferences.EmailLanguage.AUTO, _("From the shipping country (Dutch for the Netherlands, Belgium and other Dutch-speaking countries; English elsewhere)")),
    (ShopPreferences.EmailLanguage.DUTCH, _("Always Dutch")),
    (ShopPreferences.EmailLanguage.ENGLISH, _("Always English")),
]

STORE_LINK_CHOICES = [
    (ShopPreferences.StoreLink.DRAFT_ORDER, _("A Shopify draft order (a checkout with the same items and the shipping address)")),
    (ShopPreferences.StoreLink.CART, _("A cart permalink with a single-use discount code (needs your approval for discount codes when the order has an apology discount)")),
]
LINK_SENDING_CHOICES = [
    (ShopPreferences.LinkSending.SHOPIFY_INVOICE, _("Shopify's invoice email (draft orders only)")),
    (ShopPreferences.LinkSending.APP_EMAIL, _("OrderGuard's own email, from your shop's contact address")),
]


def _range_message(low: int, high: int) -> str:
    return gettext("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}


_range_message_lazy = lazy(_range_message, str)  # worded when shown, in the merchant's language


def _bounded(*, label, limits: tuple[int, int], help_text) -> forms.IntegerField:
    low, high = limits
    message = _range_message_lazy(low, high)
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, help_text=help_text,
        error_messages={"required": message, "invalid": message, "min_value": message, "max_value": message},
    )


class ShopPreferencesForm(forms.Form):
    grace_minutes = _bounded(
        label=_("Grace period (minutes)"), limits=GRACE_MINUTES_RANGE,
        help_text=_("How long a new order may wait for Shopify before OrderGuard counts it as stuck."),
    )
    auto_cancel_warning_days = _bounded(
        label=_("Warn before auto-cancel (days)"), limits=WARNING_DAYS_RANGE,
        help_text=_("Meta cancels an order that is not shipped within 30 days; deadlines closer than this are highlighted."),
    )
    buyer_email_language = forms.ChoiceField(
        label=_("Language of emails to buyers"), choices=EMAIL_LANGUAGE_CHOICES, widget=forms.RadioSelect,
        error_messages={"required": _("Choose a language."), "invalid_choice": _("Choose a language.")},
    )

    store_link = forms.ChoiceField(
        label=_("Store link sent after a cancel"), choices=STORE_LINK_CHOICES, widget=forms.RadioSelect, required=False,
        error_messages={"required": _("Choose a store link."), "invalid_choice": _("Choose a store link.")},
    )
    link_sending = forms.ChoiceField(
        label=_("How the store link is sent"), choices=LINK_SENDING_CHOICES, widget=forms.RadioSelect, required=False,
        error_messages={"required": _("Choose how the link is sent."), "invalid_choice": _("Choose how the link is sent.")},
    )

    def clean(self):
        data = super().clean()
        # Left out (an older form): the defaults, as today's behaviour.
        if "store_link" in data and not data["store_link"]:
            data["store_link"] = ShopPreferences.StoreLink.DRAFT_ORDER
        if "link_sending" in data and not data["link_sending"]:
            data["link_sending"] = ShopPreferences.LinkSending.SHOPIFY_INVOICE
        if data.get("store_link") and data.get("link_sending") and link_choice_error(store_link=data["store_link"], link_sending=data["link_sending"]):
            self.add_error("link_sending", gettext("A cart permalink has no Shopify invoice email: choose OrderGuard's own email."))
        return data

    @classmethod
    def of(cls, preferences: ShopPreferences) -> ShopPreferencesForm:
        return cls(initial={
            "grace_minutes": preferences.grace_minutes,
            "auto_cancel_warning_days": preferences.auto_cancel_warning_days,
            "buyer_email_language": preferences.buyer_email_language,
            "store_link": preferences.store_link,
            "link_sending": preferences.link_sending,
        })
