"""The Facebook login window's sentences read right whatever the shop is called."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from orderguard.shops.models import Shop


def _choose_page(shop_name: str, language: str = "en") -> str:
    shop = Shop(domain="fernhill-supply.myshopify.com", name=shop_name)
    with translation.override(language):
        return render_to_string("meta_connections/login_choose.html", {"shop": shop, "choices": [], "state": "s"})


@pytest.mark.parametrize(("name", "sentence_end"), [
    ("Fernhill Supply Co.", "for Fernhill Supply Co.</p>"),
    ("Fernhill Supply", "for Fernhill Supply.</p>"),
    ("", "for fernhill-supply.myshopify.com.</p>"),
])
def test_a_shop_name_ending_in_a_period_gets_no_second_period(name, sentence_end):
    page = _choose_page(name)
    assert sentence_end in page
    assert ".." not in page


def test_the_dutch_sentence_also_ends_with_one_period():
    page = _choose_page("Fernhill Supply Co.", "nl")
    assert "voor Fernhill Supply Co.</p>" in page and ".." not in page
