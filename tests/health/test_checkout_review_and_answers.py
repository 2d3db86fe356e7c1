"""The checkout-settings review (/app/health/checkout/) and the answers (/app/health/answers/), through the
health sandbox scenarios, in English and Dutch; both pages read stored results only."""

from __future__ import annotations

import re

import pytest

from orderguard.health.services import health_checks_run
from orderguard.sandbox.models import SandboxCall
from tests.health.builders import HEALTH_CMS, HEALTH_SHOP, health_shop
from tests.helpers import open_app

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
SHIPPING_FIX = "/_sandbox/admin/store/lakeside-goods/settings/shipping"
CHANNEL_FIX = "/_sandbox/admin/store/lakeside-goods/apps/facebook"


def _review(client, scenario: str, *, locale: str = "en") -> str:
    shop = health_shop(client, scenario)
    health_checks_run(shop=shop)
    calls = SandboxCall.objects.count()
    page = open_app(client, HEALTH_SHOP, path="/app/health/checkout/", locale=locale).content.decode()
    assert SandboxCall.objects.count() == calls  # the page never calls a platform
    return page


def _row(page: str, code: str) -> str:
    """The review row of `code` and its advice row."""
    match = re.search(rf'<tr data-testid="review-{code}".*?(?=<tr data-testid="review-|</tbody>)', page, re.S)
    assert match, code
    return match.group(0)


def test_a_country_not_shipped_to_is_a_mismatch_with_the_shipping_settings_as_its_fix(client, app_server):
    page = _review(client, "country-not-shipped")
    countries = _row(page, "countries")
    assert 'data-verdict="mismatch"' in countries
    assert "Buyers in CA" in countries and "Shipping zones: US" in countries
    assert "Buyers order from CA, where your shipping zones do not deliver" in countries and SHIPPING_FIX in countries
    shipping = _row(page, "shipping")
    assert 'data-verdict="mismatch"' in shipping and "2 orders stuck" in shipping and SHIPPING_FIX in shipping
    mode = _row(page, "checkout_mode")
    assert 'data-verdict="match"' in mode and "On Facebook and Instagram" in mode and "Facebook &amp; Instagram channel installed" in mode
    assert 'data-verdict="match"' in _row(page, "currency") and "Orders in USD" in _row(page, "currency")
    assert 'data-verdict="match"' in _row(page, "order_management_app")
    assert "2 settings do not match" in page


def test_website_checkout_is_the_merchants_choice_with_commerce_manager_to_change_it(client, app_server):
    page = _review(client, "website-checkout")
    mode = _row(page, "checkout_mode")
    assert 'data-verdict="note"' in mode and "On your website" in mode
    assert "no new order can get stuck at Meta" in mode
    assert f"/commerce_manager/{HEALTH_CMS}/settings" in mode
    assert 'data-verdict="note"' in _row(page, "payments")
    assert 'data-mode="website"' in page and "Meta and Shopify agree" in page


def test_no_order_management_app_is_a_mismatch_fixed_in_the_channel(client, app_server):
    page = _review(client, "no-order-management-app")
    app = _row(page, "order_management_app")
    assert 'data-verdict="mismatch"' in app and "None" in app
    assert "No app is registered to manage this account" in app and CHANNEL_FIX in app


def test_the_review_speaks_dutch(client, app_server):
    page = _review(client, "country-not-shipped", locale="nl")
    countries = _row(page, "countries")
    assert "Kopers in CA" in countries and "Verzendzones: US" in countries
    assert "Kopers bestellen uit CA, waar je verzendzones niet bezorgen" in countries
    assert "Afrekenmodus" in page and "Op Facebook en Instagram" in page and "Komt niet overeen" in page
    assert "2 instellingen komen niet overeen" in page


def test_the_review_before_any_check_ran_says_so(client, app_server):
    health_shop(client, "healthy", poll=False)
    page = open_app(client, HEALTH_SHOP, path="/app/health/checkout/").content.decode()
    assert "The checks have not run yet." in page
    assert page.count('data-verdict="unknown"') == 6


def test_the_panel_links_to_the_review_and_the_answers(client, app_server):
    health_shop(client, "healthy", poll=False)
    page = open_app(client, HEALTH_SHOP, path="/app/health/").content.decode()
    assert 'href="/app/health/checkout/"' in page and 'href="/app/health/answers/"' in page


ANSWERS = {
    # code: (English question, Dutch question, {link testid: href})
    "meaning": ("What does “pending acknowledgement by Shopify” mean?", "Wat betekent „pending acknowledgement by Shopify”?",
                {"meta.order_management_app": "/app/health/#check-meta.order_management_app",
                 "shopify.channel_installed": "/app/health/#check-shopify.channel_installed"}),
    "resolve": ("Can it resolve itself?", "Lost het zichzelf op?", {"panel": "/app/health/", "checkout": "/app/health/checkout/"}),
    "prevent": ("How do I prevent it?", "Hoe voorkom ik het?",
                {"meta.token_expiry": "/app/health/#check-meta.token_expiry", "shopify.variants_published": "/app/health/#check-shopify.variants_published",
                 "shopify.shipping_coverage": "/app/health/#check-shopify.shipping_coverage"}),
    "fix": ("How do I fix it now?", "Hoe los ik het nu op?", {"reconnect": "/app/health/reconnect/"}),
    "contact": ("Whom do I contact?", "Wie neem ik contact op?", {"dossier": "/app/health/dossier.zip"}),
    "charged": ("Is the buyer charged?", "Wordt de koper belast?", {"orders": "/app/?tab=needs_action"}),
}
ANSWER_FACTS = {
    "en": ["Usually not when the channel is disconnected", "Shopify support first", "Then Meta Commerce support",
           "the payment is only authorised", "It is captured when the order ships"],
    "nl": ["Meestal niet als het kanaal losgekoppeld is", "Eerst Shopify-support", "Daarna de commerce-support van Meta",
           "de betaling alleen geautoriseerd", "Het geld wordt pas afgeschreven als de bestelling verzonden wordt"],
}


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_each_answer_and_its_links(client, app_server, locale):
    health_shop(client, "healthy", poll=False)
    page = open_app(client, HEALTH_SHOP, path="/app/health/answers/", locale=locale).content.decode()
    for code, (english, dutch, answer_links) in ANSWERS.items():
        section = re.search(rf'data-testid="answer-{code}">.*?</section>', page, re.S)
        assert section, code
        assert (english if locale == "en" else dutch) in section.group(0)
        for testid, href in answer_links.items():
            assert f'href="{href}" data-testid="answer-link-{testid}"' in section.group(0), (code, testid)
    for fact in ANSWER_FACTS[locale]:
        assert fact in page, fact


def test_the_panel_rows_are_the_answers_anchors(client, app_server):
    shop = health_shop(client, "healthy")
    health_checks_run(shop=shop)
    page = open_app(client, HEALTH_SHOP, path="/app/health/").content.decode()
    for code in ("meta.order_management_app", "shopify.channel_installed", "meta.token_expiry", "shopify.variants_published", "shopify.shipping_coverage"):
        assert f'id="check-{code}"' in page


def test_the_orders_page_links_to_the_answers_when_orders_need_action(client, app_server):
    health_shop(client, "broken-channel")
    page = open_app(client, HEALTH_SHOP).content.decode()
    assert 'data-testid="needs-action-count"' in page
    assert re.search(r'data-testid="orders-answers-link">[^\n]*href="/app/health/answers/"', page)


def test_the_orders_page_links_to_the_answers_when_nothing_is_stuck(client, app_server):
    health_shop(client, "healthy")
    page = open_app(client, HEALTH_SHOP, locale="nl").content.decode()
    assert 'data-testid="empty-state"' in page
    assert re.search(r'data-testid="orders-answers-link"><a href="/app/health/answers/">Zo houd je het zo: vragen en antwoorden', page)
