"""May a Meta order be cancelled now: Meta's rules and ours, as a table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orderguard.integrations.meta.fields import CANCEL_REASON_CODES
from orderguard.integrations.meta.types import MetaOrder
from orderguard.remediation.cancel_rules import CancelReason, CancelRefusal, cancel_verdict, cancel_verdict_for_order

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "age", "shipped", "cancelled", "allowed", "refusal"),
    [
        ("CREATED", timedelta(hours=2), 0, False, True, None),
        ("CREATED", timedelta(days=20), 0, False, True, None),
        ("FB_PROCESSING", timedelta(hours=1), 0, False, False, CancelRefusal.PROCESSING_UNDER_24H),
        ("FB_PROCESSING", timedelta(hours=24), 0, False, False, CancelRefusal.PROCESSING_UNDER_24H),
        ("FB_PROCESSING", timedelta(hours=24, seconds=1), 0, False, True, None),
        ("IN_PROGRESS", timedelta(hours=2), 0, False, False, CancelRefusal.ACKNOWLEDGED),
        ("COMPLETED", timedelta(days=3), 0, False, False, CancelRefusal.COMPLETED),
        ("COMPLETED", timedelta(days=3), 1, False, False, CancelRefusal.SHIPPED),
        ("CREATED", timedelta(days=3), 1, False, False, CancelRefusal.SHIPPED),
        ("COMPLETED", timedelta(days=3), 0, True, False, CancelRefusal.ALREADY_CANCELLED),
        ("CREATED", timedelta(days=3), 0, True, False, CancelRefusal.ALREADY_CANCELLED),
        ("SOMETHING_NEW", timedelta(days=3), 0, False, False, CancelRefusal.UNKNOWN_STATE),
    ],
)
def test_cancel_verdict(state, age, shipped, cancelled, allowed, refusal):
    verdict = cancel_verdict(state=state, created=NOW - age, now=NOW, shipped_quantity=shipped, cancelled=cancelled)
    assert (verdict.allowed, verdict.refusal) == (allowed, refusal)


def test_a_young_processing_order_says_when_it_becomes_cancellable():
    verdict = cancel_verdict(state="FB_PROCESSING", created=NOW - timedelta(hours=3), now=NOW)
    assert verdict.allowed_from == NOW + timedelta(hours=21)


def test_a_processing_order_without_a_creation_time_is_never_cancelled():
    assert cancel_verdict(state="FB_PROCESSING", created=None, now=NOW).allowed is False


def _order(state: str, statuses: list[dict]) -> MetaOrder:
    items = [{"id": str(i), "retailer_id": f"R{i}", "quantity": 1, "status": status} for i, status in enumerate(statuses)]
    return MetaOrder.from_api({"id": "1", "order_status": {"state": state}, "created": "2026-11-30T12:00:00+0000", "items": {"data": items}})


@pytest.mark.parametrize(
    ("state", "statuses", "allowed", "refusal"),
    [
        ("CREATED", [{"in_progress": 1, "fulfilled": 0, "cancelled": 0}], True, None),
        ("COMPLETED", [{"in_progress": 0, "fulfilled": 0, "cancelled": 1}], False, CancelRefusal.ALREADY_CANCELLED),
        ("COMPLETED", [{"in_progress": 0, "fulfilled": 1, "cancelled": 0}], False, CancelRefusal.SHIPPED),
        ("FB_PROCESSING", [{"in_progress": 1, "fulfilled": 0, "cancelled": 0}], False, CancelRefusal.PROCESSING_UNDER_24H),
    ],
)
def test_the_verdict_from_a_meta_order_reads_item_statuses(state, statuses, allowed, refusal):
    verdict = cancel_verdict_for_order(_order(state, statuses), now=datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
    assert (verdict.allowed, verdict.refusal) == (allowed, refusal)


def test_reason_codes_are_exactly_metas():
    assert {reason.value for reason in CancelReason} == {
        "CUSTOMER_REQUESTED", "OUT_OF_STOCK", "INVALID_ADDRESS", "SUSPICIOUS_ORDER", "CANCEL_REASON_OTHER"}
    assert {reason.value for reason in CancelReason} == CANCEL_REASON_CODES
