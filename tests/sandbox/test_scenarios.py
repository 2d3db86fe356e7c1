"""sandbox_load: every shipped scenario loads, twice, to the same world; the demo shows every class."""

from __future__ import annotations

import json
import stat
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaOrder, MetaToken
from orderguard.sandbox.models import SandboxShop, SandboxShopifyOrder
from orderguard.sandbox.scenarios import SCENARIOS_DIR, loader
from orderguard.demo.seed import DEMO_SHOP_DOMAIN
from tests.sandbox.helpers import NOW, Graph, base_scenario, meta_order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

SHIPPED = sorted(path.stem for path in SCENARIOS_DIR.glob("*.json"))


def snapshot() -> dict:
    return {
        "shops": sorted(SandboxShop.objects.values_list("domain", flat=True)),
        "accounts": sorted(MetaCommerceAccount.objects.values_list("id", "channel_behaviour")),
        "orders": sorted(MetaOrder.objects.values_list("id", "state", "merchant_order_id")),
        "shopify": sorted(SandboxShopifyOrder.objects.values_list("name", "source_name", "source_identifier", "cancelled_at")),
        "tokens": sorted(MetaToken.objects.values_list("value", "kind")),
    }


def test_the_required_scenarios_ship():
    assert {"broken-channel", "healthy-channel", "demo"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_scenario_loads_and_reloads_identically(name, clock, tmp_path, capsys):
    call_command("sandbox_load", str(SCENARIOS_DIR / f"{name}.json"), "--token-dir", str(tmp_path))
    output = capsys.readouterr().out
    assert "Loaded scenario" in output and "connect_meta" in output
    first = snapshot()
    assert first["orders"] and first["tokens"]
    call_command("sandbox_load", name, "--token-dir", str(tmp_path))  # by name, a second time
    assert snapshot() == first


@pytest.mark.parametrize("name", SHIPPED)
def test_scenario_tokens_are_written_for_connect_meta(name, clock, tmp_path):
    call_command("sandbox_load", name, "--token-dir", str(tmp_path))
    data = json.loads((SCENARIOS_DIR / f"{name}.json").read_text())
    for token in data["tokens"]:
        path = tmp_path / token["file"]
        assert path.read_text().strip() == token["value"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        stored = MetaToken.objects.get(value=token["value"])
        assert stored.kind == "SYSTEM_USER" and stored.expires_at is None
        assert {"commerce_account_read_orders", "commerce_account_read_settings"} <= set(stored.scopes)


def test_reloading_resets_what_happened_since(client, clock, load):
    load(base_scenario([meta_order("2800000000000001", "CREATED", "-2h")]))
    MetaOrder.objects.filter(pk="2800000000000001").update(state="COMPLETED")
    SandboxShopifyOrder.objects.create(shop=SandboxShop.objects.get(domain="test-outfitters.myshopify.com"), numeric_id=1, order_number=1,
                                       name="#1", created_at=NOW, updated_at=NOW)
    load(base_scenario([meta_order("2800000000000001", "CREATED", "-2h")]))
    assert MetaOrder.objects.get(pk="2800000000000001").state == "CREATED"
    assert not SandboxShopifyOrder.objects.exists()


def test_the_demo_shows_every_class(client, clock, tmp_path):
    call_command("sandbox_load", "demo", "--token-dir", str(tmp_path))
    data = json.loads((SCENARIOS_DIR / "demo.json").read_text())
    shop = SandboxShop.objects.get(domain=DEMO_SHOP_DOMAIN)
    assert (shop.name, shop.currency_code, shop.facebook_channel_installed) == ("Maple & Moss Outfitters", "USD", True)
    account = MetaCommerceAccount.objects.get()
    assert account.channel_behaviour == "broken" and account.order_management_apps
    orders = list(MetaOrder.objects.select_related("shopify_order"))
    assert 20 <= len(orders) <= 30
    assert all(order.id.isdigit() and len(order.id) in (15, 16) for order in orders)
    assert {order.channel for order in orders} == {"facebook", "instagram"}
    assert all(order.created >= NOW - timedelta(days=30) for order in orders)
    assert len({order.buyer_name for order in orders}) == len(orders)

    def age(order) -> timedelta:
        return NOW - order.created

    created = [o for o in orders if o.state == "CREATED"]
    classes = Counter()
    for order in orders:
        if order.state == "CREATED" and age(order) > timedelta(minutes=60):
            classes["created past grace, imported, not acknowledged" if order.shopify_order else "created past grace, missing"] += 1
        elif order.state == "CREATED":
            classes["created within grace"] += 1
        elif order.state == "FB_PROCESSING":
            classes["processing over 24h" if age(order) > timedelta(hours=24) else "processing"] += 1
        elif order.state == "IN_PROGRESS":
            classes["acknowledged, imported" if order.shopify_order else "acknowledged, missing from Shopify"] += 1
        elif order.cancellations:
            classes["cancelled by Meta"] += 1
        else:
            classes["completed"] += 1
    assert set(classes) == {
        "created past grace, missing", "created past grace, imported, not acknowledged", "created within grace", "processing",
        "processing over 24h", "acknowledged, missing from Shopify", "acknowledged, imported", "completed", "cancelled by Meta",
    }, classes
    assert any(timedelta(days=29) < age(order) < timedelta(days=30) for order in created)  # near the 30-day auto-cancel
    assert all(o.shopify_order.source_name == "2329312" for o in orders if o.shopify_order)
    web = SandboxShopifyOrder.objects.exclude(source_name="2329312")
    assert web.count() == len(data["shopify_orders"])

    # The scenario's token works against the Meta stand-in, as the app will use it.
    token = data["tokens"][0]["value"]
    listed = Graph(client, token).get(f"{account.id}/commerce_orders").json()["data"]
    assert {row["id"] for row in listed} == {o.id for o in created}


def test_loader_refuses_contradictions(clock):
    with pytest.raises(loader.ScenarioError, match="stuck_in_processing"):
        loader.load(base_scenario([meta_order("2800000000000001", "FB_PROCESSING", "-2h")]))
    with pytest.raises(loader.ScenarioError, match="15 or 16 digits"):
        loader.load(base_scenario([meta_order("1234", "CREATED", "-2h")]))
    with pytest.raises(loader.ScenarioError, match="website checkout"):
        loader.load(base_scenario([meta_order("2800000000000001", "CREATED", "-2h")], checkout="website"))
    with pytest.raises(loader.ScenarioError, match="orders\\[0\\].created"):
        loader.load(base_scenario([meta_order("2800000000000001", "CREATED", "yesterday-ish")]))
    with pytest.raises(loader.ScenarioError, match="state"):
        loader.load(base_scenario([meta_order("2800000000000001", "SHIPPED", "-2h")]))


def test_sandbox_load_reports_errors_as_command_errors(clock, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("sandbox_load", str(bad), "--token-dir", str(tmp_path))
    with pytest.raises(CommandError, match="No scenario"):
        call_command("sandbox_load", "no-such-scenario", "--token-dir", str(tmp_path))


@pytest.mark.parametrize(("text", "expected"), [("-3h", timedelta(hours=-3)), ("-2d4h30m", -timedelta(days=2, hours=4, minutes=30)),
                                                ("+10m", timedelta(minutes=10)), ("now", timedelta(0)), ("-90s", timedelta(seconds=-90))])
def test_relative_times(text, expected):
    from orderguard.sandbox.scenarios.times import parse_time

    assert parse_time(text, now=NOW) - NOW == expected
    assert parse_time("2026-11-01T00:00:00Z", now=NOW).isoformat() == "2026-11-01T00:00:00+00:00"
