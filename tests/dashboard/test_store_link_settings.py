"""Settings: the store link (draft order or cart permalink) and how it is sent, validated per shop."""

from __future__ import annotations

import pytest

from orderguard.shops.models import ShopPreferences
from orderguard.shops.preferences import shop_preferences
from tests.factories import make_shop
from tests.helpers import SHOP_A, bearer, open_app

pytestmark = pytest.mark.django_db

VALID = {"grace_minutes": "90", "auto_cancel_warning_days": "10", "buyer_email_language": "auto"}


def _save(client, form, *, language="en"):
    return client.post("/app/settings/preferences", form, headers={**bearer(SHOP_A), "X-OrderGuard-Locale": language})


def test_the_default_is_a_draft_order_sent_by_shopify_and_a_cart_link_by_the_app_email_is_saved(client):
    shop = make_shop()
    assert (shop_preferences(shop=shop).store_link, shop_preferences(shop=shop).link_sending) == ("draft_order", "shopify_invoice")
    page = open_app(client, path="/app/settings/").content.decode()
    assert 'data-testid="pref-store_link-cart"' in page and 'data-testid="pref-link_sending-app_email"' in page

    response = _save(client, {**VALID, "store_link": "cart", "link_sending": "app_email"})
    assert response.status_code == 200
    saved = ShopPreferences.objects.get(shop=shop)
    assert (saved.store_link, saved.link_sending) == ("cart", "app_email")


@pytest.mark.parametrize("language, words", [("en", "has no Shopify invoice email"), ("nl", "geen factuurmail")])
def test_a_cart_link_by_shopify_invoice_is_refused_with_a_clear_error_in_the_merchants_language(client, language, words):
    make_shop()
    response = _save(client, {**VALID, "store_link": "cart", "link_sending": "shopify_invoice"}, language=language)
    assert response.status_code == 422 and words in response.content.decode()
    assert not ShopPreferences.objects.filter(shop__domain=SHOP_A).exists()


@pytest.mark.parametrize("field, value", [("store_link", "permalink"), ("link_sending", "<script>x</script>")])
def test_an_unknown_choice_is_refused_not_a_500(client, field, value):
    make_shop()
    response = _save(client, {**VALID, field: value})
    assert response.status_code == 422 and "<script>x" not in response.content.decode()
