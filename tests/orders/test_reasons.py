"""The reason for one order in words, with its own facts: the deadline in the shop's zone, Meta's state."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from orderguard.orders.reasons import order_reason_text, reason_text, status_label
from orderguard.orders.shop_time import UTC_ZONE, shop_datetime, shop_zone
from orderguard.reconciliation.engine import Reason, Status

DEADLINE = datetime(2026, 12, 27, 13, 5, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    "reason, words",
    [
        (Reason.ACKNOWLEDGED_NOT_IN_SHOPIFY, "Accepted on Meta but not in Shopify: ship it from Commerce Manager before Dec 27, 2026, 2:05\u202fPM CET."),
        (Reason.AUTO_CANCEL_SOON, "ship it before Dec 27, 2026, 2:05\u202fPM CET or Meta cancels it."),
        (Reason.AUTO_CANCEL_IMMINENT, "ship it before Dec 27, 2026, 2:05\u202fPM CET or Meta cancels it."),
    ],
)
def test_reasons_with_a_deadline_name_it_in_the_shops_zone(reason, words):
    with translation.override("en"):
        assert words in order_reason_text(reason=reason, deadline_at=DEADLINE, zone=AMSTERDAM)


def test_an_unknown_state_is_named():
    with translation.override("en"):
        text = order_reason_text(reason=Reason.UNKNOWN_META_STATE, meta_state="ON_HOLD")
    assert text.startswith("Unknown Meta state ON_HOLD")


def test_every_status_and_reason_has_words():
    with translation.override("en"):
        assert all(status_label(status) != status.value for status in Status)
        assert all(reason_text(reason) != reason.value for reason in Reason)


def test_times_follow_the_locale_and_fall_back_to_utc():
    assert shop_datetime(DEADLINE, zone=AMSTERDAM, locale="nl_NL") == "27 dec 2026, 14:05 CET"
    assert shop_datetime(DEADLINE, zone=ZoneInfo("America/Chicago"), locale="en_US") == "Dec 27, 2026, 7:05\u202fAM CST"

    class Shop:
        iana_timezone = "Mars/Olympus_Mons"

    assert shop_zone(Shop()) == UTC_ZONE
