"""Settings: the grace period, the auto-cancel warning days and the buyer emails' language, per shop,
validated with errors in the merchant's language; detection reads them at the next poll."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import override_settings

from orderguard.orders.detection_settings import detection_settings_for
from orderguard.shops.models import ShopPreferences
from orderguard.shops.preferences import shop_preferences
from tests.factories import make_shop
from tests.helpers import SHOP_A, SHOP_B, bearer, open_app

pytestmark = pytest.mark.django_db

VALID = {"grace_minutes": "90", "auto_cancel_warning_days": "10", "buyer_email_language": "nl"}


def _save(client, form, *, language="en"):
    return client.post("/app/settings/preferences", form, headers={**bearer(SHOP_A), "X-OrderGuard-Locale": language})


@override_settings(STUCK_GRACE_MINUTES=45, AUTO_CANCEL_WARNING_DAYS=5)
def test_a_shop_that_never_chose_follows_the_global_defaults_and_saving_nothing_creates_no_row():
    shop = make_shop()
    preferences = shop_preferences(shop=shop)
    assert (preferences.grace_minutes, preferences.auto_cancel_warning_days, preferences.email_language_override) == (45, 5, "")
    assert detection_settings_for(shop=shop).grace == timedelta(minutes=45)
    assert not ShopPreferences.objects.exists()


def test_the_page_shows_the_form_with_the_current_values_and_says_when_a_change_applies(client):
    make_shop()
    page = open_app(client, path="/app/settings/").content.decode()
    assert 'name="grace_minutes"' in page and 'value="60"' in page and 'value="7"' in page
    assert re.search(r'value="auto"[^>]*checked', page) and not re.search(r'value="nl"[^>]*checked', page)
    assert "applies from the next check" in page
    dutch = open_app(client, path="/app/settings/", locale="nl").content.decode()
    assert "Wachttijd (minuten)" in dutch and "Taal van e-mails aan kopers" in dutch and "Altijd Nederlands" in dutch


def test_saving_valid_choices_stores_them_for_this_shop_only_and_detection_uses_them(client):
    shop, other = make_shop(), make_shop(domain=SHOP_B, name="Bravo")
    response = _save(client, VALID)
    assert response.status_code == 200 and 'data-testid="preferences-saved"' in response.content.decode()
    assert json.loads(response["HX-Trigger"])["og:toast"] == {"message": "Settings saved. They apply from the next check."}
    saved = ShopPreferences.objects.get(shop=shop)
    assert (saved.grace_minutes, saved.auto_cancel_warning_days, saved.email_language_override) == (90, 10, "nl")
    assert detection_settings_for(shop=shop).grace == timedelta(minutes=90)
    assert detection_settings_for(shop=other).grace == timedelta(minutes=60)
    assert 'value="90"' in response.content.decode()


@pytest.mark.parametrize(("field", "value"), [
    ("grace_minutes", "5"), ("grace_minutes", "1441"), ("grace_minutes", "abc"), ("grace_minutes", ""), ("grace_minutes", "1e3"),
    ("auto_cancel_warning_days", "0"), ("auto_cancel_warning_days", "30"), ("auto_cancel_warning_days", "-3"),
    ("buyer_email_language", "fr"), ("buyer_email_language", ""),
])
def test_an_invalid_value_is_refused_with_a_clear_error_and_nothing_is_saved(client, field, value):
    make_shop()
    response = _save(client, {**VALID, field: value})
    page = response.content.decode()
    assert response.status_code == 422 and 'role="alert"' in page and f'id="id_{field}-error"' in page
    assert "Enter a whole number from" in page or "Choose a language." in page
    assert json.loads(response["HX-Trigger"])["og:toast"]["error"] is True
    assert not ShopPreferences.objects.exists()


def test_errors_are_worded_in_dutch_for_a_dutch_admin(client):
    make_shop()
    page = _save(client, {**VALID, "grace_minutes": "2", "buyer_email_language": "de"}, language="nl").content.decode()
    assert "Vul een heel getal in van 15 tot en met 1440." in page and "Kies een taal." in page
    assert "Instellingen niet opgeslagen" in page
