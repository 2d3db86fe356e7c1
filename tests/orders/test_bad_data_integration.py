"""Detection never stops on bad data and never misleads (issue 11, items 1 to 9), end to end: the sandbox's
Meta rewrites answers (`order_rewrite` faults) the way a Meta we do not control might send them, and the
orders page shows the result. Runs on whatever database the suite uses (CI: PostgreSQL, where a state
longer than its column once raised DataError and killed every poll)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.db import DataError, connection
from django.utils import timezone

from orderguard.orders.models import PollState, SocialOrder
from orderguard.orders.polling import poll_shop
from orderguard.orders.selectors import stuck_orders
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.meta.models import MetaOrder
from tests.helpers import bearer
from tests.scenarios import BROKEN_CMS, BROKEN_SHOP, EXPECTED_STUCK

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

ON_HOLD = "2904417823351201"
LONG_STATE = "2904417823351202"
NO_CREATED = "2904417823351203"
STATE_40 = "PENDING_MERCHANT_REVIEW_AFTER_RISK_CHECK"


def _rewrite(order_id: str, **answer) -> None:
    sandbox_meta.inject_fault(BROKEN_CMS, "order_rewrite", order_id=order_id, answer=answer)


def _row(meta_id: str) -> SocialOrder:
    return SocialOrder.objects.get(meta_order_id=meta_id)


@contextmanager
def _database_refuses(table: str, statement: str, *, value: str | None = None):
    """The database refusing each `statement` ("INSERT", "UPDATE") on `table` (that carries `value`, if
    given), as PostgreSQL refuses a value too long for its column: through Django's own hook around each
    query, no code of ours replaced, so it happens on SQLite too."""

    def refuse(execute, sql, params, many, context):
        # PostgreSQL's bulk insert sends a column as one array parameter.
        carries = value is None or any(value == param or (isinstance(param, list | tuple) and value in param) for param in params or ())
        if sql.lstrip().upper().startswith(statement) and f'"{table}"' in sql and carries:
            raise DataError(f"value too long for type character varying (simulated on {table})")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def test_an_unknown_state_of_any_length_is_stored_shown_and_counted_and_blocks_nothing(installed_shop):
    assert len(STATE_40) == 40
    _rewrite(ON_HOLD, order_status={"state": "ON_HOLD"})
    _rewrite(LONG_STATE, order_status={"state": STATE_40})

    report = poll_shop(shop=installed_shop.shop)

    assert report.outcome == "ok", report.message
    assert report.unknown_states == 2 and report.statuses["unknown_meta_state"] == 2
    assert (_row(ON_HOLD).meta_state, _row(LONG_STATE).meta_state) == ("ON_HOLD", STATE_40)
    assert {_row(i).status for i in (ON_HOLD, LONG_STATE)} == {"unknown_meta_state"}
    assert {_row(i).reason for i in (ON_HOLD, LONG_STATE)} == {"unknown_meta_state"}
    # Every other order is classified as without the odd ones.
    others = {o.meta_order_id: o.status for o in stuck_orders(shop=installed_shop.shop) if o.meta_order_id not in (ON_HOLD, LONG_STATE)}
    assert others == {k: v for k, v in EXPECTED_STUCK.items() if k not in (ON_HOLD, LONG_STATE)}

    again = poll_shop(shop=installed_shop.shop, full=True)  # and every later poll runs too
    assert again.outcome == "ok" and _row(LONG_STATE).meta_state == STATE_40


def test_the_page_names_an_unknown_state(client, installed_shop):
    _rewrite(ON_HOLD, order_status={"state": "ON_HOLD"})
    poll_shop(shop=installed_shop.shop)

    html = client.get("/app/", {"tab": "needs_action"}, headers=bearer(BROKEN_SHOP)).content.decode()

    assert "Unknown Meta state ON_HOLD" in html


def test_an_order_without_a_usable_created_time_is_stored_flagged_and_counted(client, installed_shop):
    _rewrite(NO_CREATED, created="1764240000")  # unix seconds as a string: not what Meta documents

    report = poll_shop(shop=installed_shop.shop)

    assert report.outcome == "ok", report.message
    assert report.created_unknown == 1
    row = _row(NO_CREATED)
    placed_in_sandbox = MetaOrder.objects.get(pk=NO_CREATED)
    assert row.created_unknown and row.meta_created_at == placed_in_sandbox.last_updated.replace(microsecond=0)  # the last update stands in
    detail = client.get(f"/app/orders/{row.pk}/", headers=bearer(BROKEN_SHOP)).content.decode()
    assert 'data-testid="created-unknown"' in detail


@pytest.mark.parametrize("statement", ["INSERT", "UPDATE"])
def test_one_order_the_database_refuses_does_not_stop_the_others(installed_shop, statement):
    shop = installed_shop.shop
    if statement == "UPDATE":
        assert poll_shop(shop=shop).outcome == "ok"  # the rows exist: the bad value arrives as a change
    _rewrite(ON_HOLD, order_status={"state": "ON_HOLD"})

    with _database_refuses("orders_socialorder", statement, value="ON_HOLD"):
        report = poll_shop(shop=shop, full=True)

    assert report.outcome == "ok", report.message
    assert report.rejected == 1 and "1 refused" in report.message
    assert SocialOrder.objects.filter(shop=shop, meta_state="ON_HOLD").count() == 0
    expected = {k: v for k, v in EXPECTED_STUCK.items() if k != ON_HOLD or statement == "UPDATE"}
    assert {o.meta_order_id: o.status for o in stuck_orders(shop=shop)} == expected


def test_an_unexpected_failure_is_recorded_and_the_next_poll_runs_normally(client, installed_shop):
    shop = installed_shop.shop
    scheduled = timezone.now()
    PollState.objects.update_or_create(shop=shop, defaults={"next_poll_at": scheduled})  # none succeeded yet

    with _database_refuses("orders_socialorderevent", "INSERT"):
        failed = poll_shop(shop=shop)

    assert failed.outcome == "failed" and "DataError" in failed.message
    state = PollState.objects.get(shop=shop)
    assert (state.consecutive_failures, state.last_error_code, state.last_success_at) == (1, "DataError", None)
    assert "value too long" in state.last_error_message
    assert state.next_poll_at == scheduled  # the schedule (the dispatcher's) is untouched: the next poll comes on time
    # The page says the check failed, and why, instead of "no stuck orders".
    html = client.get("/app/", headers=bearer(BROKEN_SHOP)).content.decode()
    assert 'data-testid="not-checked-yet"' in html and "value too long" in html
    assert 'data-testid="empty-state"' not in html

    again = poll_shop(shop=shop)

    assert again.outcome == "ok", again.message
    state.refresh_from_db()
    assert (state.consecutive_failures, state.last_error_code) == (0, "")
    assert {o.meta_order_id: o.status for o in stuck_orders(shop=shop)} == EXPECTED_STUCK
