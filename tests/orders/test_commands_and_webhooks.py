"""Operator commands (connect_meta, poll_shop, stuck_orders), the orders webhook match, the watcher."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState, ShopifySocialOrder, SocialOrder
from orderguard.orders.polling import poll_shop
from orderguard.orders.schedule import pollers_flag_stale
from orderguard.orders.selectors import poll_health
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.models import SandboxCall
from orderguard.sandbox.shopify import webhooks as sender
from orderguard.shops import webhooks
from orderguard.shops.models import WebhookDelivery
from tests.scenarios import BROKEN_CMS, BROKEN_SHOP, EXPECTED_STUCK

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def sandbox_calls_on(platform: str) -> int:
    return SandboxCall.objects.filter(platform=platform).count()


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def token_file(installed_shop, tmp_path):
    """The scenario's system-user token in a file, as an operator hands it to connect_meta."""
    path = tmp_path / "token"
    path.write_text(installed_shop.meta_token + "\n")
    return path


@pytest.mark.installed_shop(connected=False)
def test_connect_meta_then_poll_shop_then_stuck_orders(installed_shop, token_file):
    shop = installed_shop.shop

    out = _run("connect_meta", BROKEN_SHOP, "--cms-id", BROKEN_CMS, "--token-file", str(token_file))
    assert f"Connected {BROKEN_SHOP} to commerce account {BROKEN_CMS}" in out and "Shopify" in out
    connection = MetaConnection.objects.get(shop=shop)
    assert connection.source == "operator" and connection.token_type == "SYSTEM_USER"

    out = _run("poll_shop", BROKEN_SHOP)
    assert "5 orders need action." in out
    assert "2904417823351207" in out and "Stuck in Meta's review" in out

    table = _run("stuck_orders", BROKEN_SHOP)
    for meta_id in EXPECTED_STUCK:
        assert meta_id in table
    assert "USD" in table

    data = json.loads(_run("stuck_orders", BROKEN_SHOP, "--json"))
    assert data["format_version"] == 1 and data["shop"] == BROKEN_SHOP and data["poller_stale"] is False
    assert {order["meta_order_id"]: order["status"] for order in data["orders"]} == EXPECTED_STUCK
    first = data["orders"][0]
    assert set(first) == {
        "meta_order_id", "channel", "status", "reason", "reason_text", "meta_state", "placed_at", "age_seconds",
        "amount", "currency", "deadline_at", "stuck_since", "shopify_order",
    }
    assert isinstance(first["meta_order_id"], str) and isinstance(first["amount"], str) and first["currency"] == "USD"
    assert first["placed_at"].endswith("Z") and first["age_seconds"] > 3600


@pytest.mark.installed_shop(connected=False)
def test_connect_meta_refuses_a_token_for_another_account_or_an_invalid_one(token_file, tmp_path):
    with pytest.raises(CommandError, match="does not cover this commerce account"):
        _run("connect_meta", BROKEN_SHOP, "--cms-id", "555555555555555", "--token-file", str(token_file))
    bad = tmp_path / "bad"
    bad.write_text("EAAnotarealtoken")
    with pytest.raises(CommandError, match="not valid"):
        _run("connect_meta", BROKEN_SHOP, "--cms-id", BROKEN_CMS, "--token-file", str(bad))
    with pytest.raises(CommandError, match="must have opened OrderGuard"):
        _run("connect_meta", "nobody.myshopify.com", "--cms-id", BROKEN_CMS, "--token-file", str(token_file))
    assert not MetaConnection.objects.exists()


def test_a_new_shopify_order_of_the_channel_is_matched_at_once_by_webhook(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    payload = sender.example_payload("orders/create")
    payload.update(
        id=820982911946154999,
        admin_graphql_api_id="gid://shopify/Order/820982911946154999",
        name="#2001",
        source_name="2329312",
        source_identifier="2904417823351202,6790791201038369",
        note_attributes=[{"name": "Channel", "value": "Facebook"}, {"name": "Facebook Order ID", "value": "2904417823351202"}],
    )
    assert sender.deliver(sender.sign(topic="orders/create", shop_domain=BROKEN_SHOP, payload=payload)).status_code == 200
    delivery = WebhookDelivery.objects.get(topic="orders/create")

    assert webhooks.webhook_delivery_process(delivery_id=delivery.pk) == "matched Meta order 2904417823351202 to #2001"
    order = SocialOrder.objects.get(shop=shop, meta_order_id="2904417823351202")
    assert (order.status, order.shopify_order_name, order.shopify_matched_field) == ("imported_not_acknowledged", "#2001", "source_identifier")
    # The webhook's note attribute "Channel" says which surface the order came from (the heartbeat's channel).
    assert ShopifySocialOrder.objects.get(shop=shop, name="#2001").social_channel == "facebook"


def test_the_poll_stores_each_shopify_orders_social_channel_as_meta_names_it(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    rows = list(ShopifySocialOrder.objects.filter(shop=shop).exclude(meta_order_id=""))
    assert rows
    meta_channels = dict(SocialOrder.objects.filter(shop=shop).values_list("meta_order_id", "channel"))
    assert {row.social_channel for row in rows} <= {"facebook", "instagram"}
    assert all(row.social_channel == meta_channels[row.meta_order_id] for row in rows if row.meta_order_id in meta_channels)


@pytest.mark.usefixtures("installed_shop")
def test_an_ordinary_web_order_webhook_is_ignored():
    assert sender.deliver(sender.sign(topic="orders/create", shop_domain=BROKEN_SHOP, payload=sender.example_payload("orders/create"))).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert webhooks.webhook_delivery_process(delivery_id=delivery.pk) == "ignored: not a Facebook or Instagram order"


def test_a_poller_that_stopped_is_flagged(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    assert pollers_flag_stale() == []
    PollState.objects.filter(shop=shop).update(last_success_at=timezone.now() - timedelta(minutes=16))

    assert pollers_flag_stale() == [BROKEN_SHOP]
    assert pollers_flag_stale() == []  # flagged once
    assert poll_health(shop=shop).stale
    assert "no successful poll for more than three intervals" in _run("stuck_orders", BROKEN_SHOP)

    poll_shop(shop=shop)
    pollers_flag_stale()
    assert PollState.objects.get(shop=shop).stale_since is None and not poll_health(shop=shop).stale


def test_customers_redact_erases_the_buyer_details_of_their_social_orders(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    order = SocialOrder.objects.get(shop=shop, meta_order_id="2904417823351201")
    other = SocialOrder.objects.get(shop=shop, meta_order_id="2904417823351202")
    assert order.buyer_email and order.shipping_address and other.buyer_email
    payload = {"shop_id": 1, "shop_domain": BROKEN_SHOP, "customer": {"id": 5, "email": order.buyer_email.upper(), "phone": ""}, "orders_to_redact": []}

    export_payload = {**payload, "orders_requested": [], "data_request": {"id": 77}}
    sender.deliver(sender.sign(topic="customers/data_request", shop_domain=BROKEN_SHOP, payload=export_payload))
    sender.deliver(sender.sign(topic="customers/redact", shop_domain=BROKEN_SHOP, payload=payload))
    outcomes = [webhooks.webhook_delivery_process(delivery_id=pk) for pk in WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True)]

    assert outcomes[0].startswith("export") and outcomes[1] == "erased 2 records"  # the order's buyer data and the export
    order.refresh_from_db()
    other.refresh_from_db()
    assert (order.buyer_name, order.buyer_email, order.shipping_address) == ("", "", {})
    assert other.buyer_email  # another buyer is untouched


def test_a_pause_asked_for_in_usage_headers_is_kept_for_the_next_poll(installed_shop):
    shop = installed_shop.shop
    poll_shop(shop=shop)
    # Meta answers the next poll, and its usage header says access returns in 3 minutes.
    sandbox_meta.inject_fault(BROKEN_CMS, "usage", regain_minutes=3)

    answered = poll_shop(shop=shop)
    connection = MetaConnection.objects.get(shop=shop)
    assert answered.outcome == "ok", answered.message
    assert connection.status == MetaConnection.Status.CONNECTED
    assert timedelta(minutes=2) < connection.throttled_until - timezone.now() <= timedelta(minutes=3)

    meta_before = sandbox_calls_on("meta")
    assert poll_shop(shop=shop).outcome == "skipped"
    assert sandbox_calls_on("meta") == meta_before
    with time_machine.travel(timezone.now() + timedelta(minutes=4), tick=True):
        assert poll_shop(shop=shop).outcome == "ok"
