"""The apology email: language choice, what it says in English and Dutch, the marketing rule, hostile input."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from orderguard.remediation.apology import (
    ApologyFacts,
    ApologyLine,
    apology_draft,
    apology_language,
    mailto_link,
    safe_subject,
)

LINK = "https://alpha-goods.myshopify.com/60000000001/invoices/3f2a9c"


def _facts(**overrides) -> ApologyFacts:
    values = {
        "shop_name": "Alpha Goods",
        "meta_order_id": "896997838783630",
        "lines": (ApologyLine("Linen shirt - M / Sand", 2), ApologyLine("Straw hat", 1)),
        "remarketing_allowed": False,
        "buyer_name": "Sanne de Vries",
        "channel": "instagram",
        "order_date": date(2026, 11, 28),
    }
    return ApologyFacts(**{**values, **overrides})


@pytest.mark.parametrize(
    ("country", "override", "expected"),
    [("NL", "", "nl"), ("be", "", "nl"), ("SR", "", "nl"), ("DE", "", "en"), ("", "", "en"),
     ("NL", "en", "en"), ("US", "nl", "nl"), ("NL", "fr", "nl")],
)
def test_language_comes_from_the_shipping_country_unless_the_merchant_picks_one(country, override, expected):
    assert apology_language(country_code=country, override=override) == expected


def test_english_apology_says_what_happened_that_nothing_was_charged_and_what_is_next():
    draft = apology_draft(facts=_facts(), language="en")
    assert draft.language == "en" and draft.withheld == ()
    assert draft.subject == "Your Instagram order from Alpha Goods: our apologies"
    body = draft.body
    assert body.startswith("Dear Sanne de Vries,\n")
    assert "On November 28, 2026 you ordered from Alpha Goods on Instagram (order 896997838783630):" in body
    assert "- 2 x Linen shirt - M / Sand\n- 1 x Straw hat\n" in body
    assert "never reached us" in body
    assert "You have not been charged. Instagram only authorised the payment" in body
    assert "the amount is only charged when an order ships" in body and "We are cancelling the order, so Instagram releases the authorisation." in body
    assert "http" not in body and "discount" not in body  # no link, no discount asked for
    assert body.rstrip().endswith("With our apologies,\nAlpha Goods")
    assert "\n\n\n" not in body


def test_dutch_apology_with_the_store_link_after_the_cancel():
    draft = apology_draft(facts=_facts(order_cancelled=True, store_link=LINK), language="nl")
    assert draft.subject == "Je bestelling via Instagram bij Alpha Goods: onze excuses"
    body = draft.body
    assert body.startswith("Beste Sanne de Vries,\n")
    assert "Op 28 november 2026 bestelde je via Instagram bij Alpha Goods (bestelling 896997838783630):" in body
    assert "Er is niets van je rekening afgeschreven." in body and "alleen geautoriseerd" in body
    assert "We hebben de bestelling geannuleerd, zodat Instagram de autorisatie vrijgeeft." in body
    assert f"rechtstreeks in onze winkel bestellen via deze persoonlijke link, waarin je artikelen al klaarstaan:\n{LINK}\n" in body
    assert "korting" not in body
    assert body.rstrip().endswith("Met onze excuses,\nAlpha Goods")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_discount_is_withheld_without_the_buyers_opt_in(language):
    for remarketing in (False, None):
        draft = apology_draft(facts=_facts(discount="10%", store_link=LINK, remarketing_allowed=remarketing), language=language)
        assert draft.withheld == ("discount",) and "10%" not in draft.body
        assert LINK in draft.body  # the link to the same items stays: it resolves the order


def test_the_discount_is_offered_when_the_buyer_opted_in():
    english = apology_draft(facts=_facts(discount="10%", store_link=LINK, remarketing_allowed=True), language="en")
    assert "As an apology, you get 10% off through the link above." in english.body and english.withheld == ()
    dutch = apology_draft(facts=_facts(discount="€5", discount_code="OG-7K2M9QX4", remarketing_allowed=True), language="nl")
    assert "Als excuus krijg je €5 korting met de code OG-7K2M9QX4." in dutch.body


@pytest.mark.parametrize("language", ["en", "nl"])
def test_hostile_names_cannot_add_lines_or_headers(language):
    hostile = "Eve\r\nBcc: victim@example.com\n<script>alert(1)</script>\u202e"
    draft = apology_draft(facts=_facts(buyer_name=hostile, shop_name="Shop\r\nX-Evil: 1", lines=(ApologyLine("Hat\nFree!", 1),)), language=language)
    assert "\n" not in draft.subject and "\r" not in draft.subject
    assert "Shop X-Evil: 1" in draft.subject
    first_line = draft.body.splitlines()[0]
    assert "Eve Bcc: victim@example.com <script>alert(1)</script>" in first_line
    assert "\r" not in draft.body and "\u202e" not in draft.body
    assert not any(line.startswith("Bcc:") for line in draft.body.splitlines())
    assert "- 1 x Hat Free!" in draft.body


def test_an_unknown_channel_and_missing_name_and_date_still_read_well():
    body = apology_draft(facts=_facts(channel="", buyer_name="", order_date=None), language="en").body
    assert body.startswith("Dear customer,\n\nYou ordered from Alpha Goods on Facebook or Instagram (order 896997838783630):")
    assert apology_draft(facts=_facts(buyer_name=""), language="nl").body.startswith("Beste klant,")


def test_an_unsupported_language_is_refused():
    with pytest.raises(ValueError):
        apology_draft(facts=_facts(), language="fr")


def test_an_edited_subject_is_kept_to_one_line():
    assert safe_subject("Sorry\r\nBcc: x@example.com") == "Sorry Bcc: x@example.com"


def test_mailto_link_encodes_every_part():
    draft = apology_draft(facts=_facts(store_link=LINK + "?a=1&b=2"), language="en")
    link = mailto_link(to="n8miblde3i@marketplace.facebook.com", subject=draft.subject, body=draft.body)
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and unquote(parts.path) == "n8miblde3i@marketplace.facebook.com"
    query = parse_qs(parts.query)
    assert query["subject"] == [draft.subject] and query["body"] == [draft.body]
    with pytest.raises(ValueError):
        mailto_link(to="a@example.com?bcc=b@example.com", subject="s", body="b")
