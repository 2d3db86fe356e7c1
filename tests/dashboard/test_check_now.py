"""Check now: one poll of this shop, enqueued at once and at most once a minute, followed until it
reports, as a toast; and a toast when orders reach Shopify while the page is open."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from celery.signals import before_task_publish
from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState
from orderguard.shops.models import Shop
from tests.factories import make_meta_connection, make_shop
from tests.helpers import SHOP_A, SHOP_B, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """The tasks sent to the broker (Celery's own signal: nothing of ours is replaced)."""
    sent: list[tuple[str, dict]] = []

    def record(sender=None, body=None, **_):
        sent.append((sender, body[1] if isinstance(body, (list, tuple)) else body))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


def _toast(response) -> dict:
    return json.loads(response["HX-Trigger"])["og:toast"]


def _check(client, shop=SHOP_A, language="en"):
    return client.post("/app/orders/check", headers={**bearer(shop), "X-OrderGuard-Locale": language})


def _since(response) -> str:
    return unquote(re.search(r"check/status\?since=([^\"&]+)", response.content.decode()).group(1))


def test_check_now_enqueues_one_poll_of_this_shop_and_shows_checking(client, shop_with_orders, published):
    shop, _ = shop_with_orders
    response = _check(client)
    assert response.status_code == 202 and "Checking…" in response.content.decode() and "disabled" in response.content.decode()
    assert published == [("orderguard.orders.poll_shop", {"shop_id": shop.pk})]
    assert timezone.now() - timezone.datetime.fromisoformat(_since(response)) < timedelta(seconds=5)


def test_a_second_check_within_a_minute_is_refused_with_the_wait_while_other_shops_may_check(client, shop_with_orders, published):
    shop, _ = shop_with_orders
    bravo = Shop.objects.get(domain=SHOP_B)
    make_meta_connection(shop=bravo, commerce_account_id="99")
    assert _check(client).status_code == 202
    again = _check(client)
    assert again.status_code == 429 and "Check now" in again.content.decode()
    toast = _toast(again)
    assert toast["error"] is True and re.fullmatch(r"OrderGuard checked less than a minute ago\. Try again in (60|59) seconds\.", toast["message"])
    dutch = _toast(_check(client, language="nl"))["message"]
    assert dutch.startswith("OrderGuard heeft minder dan een minuut geleden gecontroleerd.")
    assert _check(client, shop=SHOP_B).status_code == 202
    assert [body["shop_id"] for _, body in published] == [shop.pk, bravo.pk]


@pytest.mark.parametrize(("status", "fields", "message"), [
    ("disconnected", {"status": MetaConnection.Status.DISCONNECTED}, "Connect your Meta commerce account first."),
    ("broken", {"status": MetaConnection.Status.BROKEN, "broken_reason": "token_expired"}, "Reconnect Meta first: Meta stopped accepting OrderGuard's access."),
    ("throttled", {"throttled_until": timedelta(minutes=9, seconds=30)}, "Meta asked OrderGuard to wait 10 minutes before the next check."),
])
def test_a_shop_that_cannot_be_polled_gets_the_reason_and_no_poll(client, published, status, fields, message):
    fields = {name: timezone.now() + value if isinstance(value, timedelta) else value for name, value in fields.items()}
    make_meta_connection(shop=make_shop(), **fields)
    response = _check(client)
    assert response.status_code == 409 and _toast(response) == {"message": message, "error": True}
    assert published == []


def test_the_status_waits_for_the_poll_then_toasts_what_it_found_and_reloads_the_list(client, shop_with_orders, published):
    shop, _ = shop_with_orders
    since = _since(_check(client))
    status = lambda: client.get("/app/orders/check/status", {"since": since}, headers=bearer(SHOP_A))  # noqa: E731
    assert status().status_code == 204  # the poll has not run yet
    finished = timezone.now()
    PollState.objects.filter(shop=shop).update(last_attempt_at=finished, last_success_at=finished)
    done = status()
    assert done.status_code == 200 and "Check now" in done.content.decode() and "Checking" not in done.content.decode()
    assert _toast(done) == {"message": "Checked: 3 orders need action.", "error": False}
    assert "og:orders-changed" in json.loads(done["HX-Trigger"])


def test_a_failed_poll_is_toasted_as_an_error(client, shop_with_orders, published):
    shop, _ = shop_with_orders
    since = _check(client, language="nl")
    since = _since(since)
    PollState.objects.filter(shop=shop).update(last_attempt_at=timezone.now(), last_error_message="Meta answered 500")
    failed = client.get("/app/orders/check/status", {"since": since}, headers={**bearer(SHOP_A), "X-OrderGuard-Locale": "nl"})
    assert _toast(failed) == {"message": "De controle is mislukt: Meta answered 500", "error": True}


@pytest.mark.parametrize("since", ["", "yesterday", "2026-13-45T99:00:00", "2026-12-01T10:00:00"])
def test_a_status_request_without_a_usable_time_gives_the_idle_button_back(client, shop_with_orders, since):
    response = client.get("/app/orders/check/status", {"since": since}, headers=bearer(SHOP_A))
    assert response.status_code == 200 and "Check now" in response.content.decode() and "HX-Trigger" not in response


def test_a_check_that_takes_too_long_stops_waiting_with_a_word(client, shop_with_orders):
    long_ago = (timezone.now() - timedelta(minutes=3)).isoformat()
    response = client.get("/app/orders/check/status", {"since": long_ago}, headers=bearer(SHOP_A))
    assert response.status_code == 200 and _toast(response)["message"].startswith("The check is taking longer than usual")


def test_orders_that_reach_shopify_while_the_page_is_open_are_toasted(client, shop_with_orders):
    _, orders = shop_with_orders
    page = client.get("/app/", headers={"Authorization": bearer(SHOP_A)["Authorization"]})
    stamp = re.search(r"orders/freshness\?seen=([0-9.\-]+)", page.content.decode()).group(1)
    for key in ("missing", "imported"):
        orders[key].status, orders[key].reason, orders[key].needs_action = "resolved", "acknowledged", False
        orders[key].resolved_at = timezone.now()
        orders[key].save()
    changed = client.get("/app/orders/freshness", {"seen": stamp}, headers=bearer(SHOP_A))
    assert _toast(changed) == {"message": "2 orders reached Shopify."}
    dutch = client.get("/app/orders/freshness", {"seen": stamp}, headers={**bearer(SHOP_A), "X-OrderGuard-Locale": "nl"})
    assert _toast(dutch)["message"] == "2 bestellingen zijn in Shopify aangekomen."
    # A change that is not an order reaching Shopify reloads the list without a toast.
    stamp = re.search(r"seen=([0-9.\-]+)", changed.content.decode()).group(1)
    orders["processing"].status = "missing_from_shopify"
    orders["processing"].save()
    quiet = client.get("/app/orders/freshness", {"seen": stamp}, headers=bearer(SHOP_A))
    assert quiet.status_code == 200 and "og:toast" not in json.loads(quiet["HX-Trigger"])
    for junk in ("nan-0", "inf-1", "x"):
        assert client.get("/app/orders/freshness", {"seen": junk}, headers=bearer(SHOP_A)).status_code == 200
