"""Deprecation signals from the platforms' responses (issue 13, item 6): through the sandbox's HTTP, the
factories' clients record them per shop and platform, and the settings page and `platform_notices` show
them, in English and Dutch."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from orderguard.alerts.platform import platform_notices_for
from orderguard.core.models import PlatformSignal
from orderguard.core.platform_signals import platform_signal_record
from orderguard.meta_connections.clients import meta_graph_client
from orderguard.meta_connections.models import MetaConnection
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.models import SandboxShop
from orderguard.shops.clients import shopify_admin_client
from tests.factories import make_shop
from tests.helpers import SHOP_A, bearer

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

SHOPIFY_REASON = "https://shopify.dev/api/usage/versioning#deprecation-practices"


def _section(client, shop, **params):
    return client.get("/app/alerts/destinations/", params, headers=bearer(shop.domain)).content.decode()


def test_a_shopify_deprecation_header_becomes_a_notice_on_the_page_and_in_the_command(installed_shop, client, caplog):
    shop = installed_shop.shop
    shopify_admin_client(shop=shop).shop_details()
    assert not PlatformSignal.objects.exists()  # an ordinary answer carries no signal

    SandboxShop.objects.filter(domain=shop.domain).update(faults={"graphql_deprecated_reason": 1})
    shopify_admin_client(shop=shop).shop_details()

    signal = PlatformSignal.objects.get(shop=shop)
    assert (signal.platform, signal.signal, signal.call) == ("shopify", SHOPIFY_REASON, "OrderGuardShopDetails")
    assert signal.first_seen_at == signal.last_seen_at
    english = _section(client, shop)
    assert 'data-testid="platform-notice"' in english
    assert f"A Shopify response to OrderGuard&#x27;s call OrderGuardShopDetails said it uses something deprecated: {SHOPIFY_REASON}" in english
    dutch = _section(client, shop, locale="nl")
    assert "Een antwoord van Shopify op de aanroep OrderGuardShopDetails van OrderGuard meldde dat die iets verouderds gebruikt" in dutch

    out = StringIO()
    with caplog.at_level("WARNING"):
        call_command("platform_notices", stdout=out)
    assert f"NOTICE {shop.domain}: A Shopify response to OrderGuard's call OrderGuardShopDetails" in out.getvalue()
    assert "Platform deprecation signal" in caplog.text
    out = StringIO()
    call_command("platform_notices", "--json", "--shop", shop.domain, stdout=out)
    [entry] = json.loads(out.getvalue())["deprecation_signals"]
    assert (entry["shop"], entry["platform"], entry["signal"], entry["call"], entry["times_seen"]) == (shop.domain, "shopify", SHOPIFY_REASON, "OrderGuardShopDetails", 1)
    assert entry["first_seen_at"] == signal.first_seen_at.isoformat()


def test_meta_answering_with_another_graph_version_becomes_a_notice(installed_shop, client, settings):
    shop = installed_shop.shop
    connection = MetaConnection.objects.get(shop=shop)
    meta_graph_client(connection=connection).setup_status(installed_shop.commerce_account_id)
    assert not PlatformSignal.objects.exists()  # answered by the version asked for

    sandbox_meta.inject_fault(installed_shop.commerce_account_id, "version_upgraded")
    client_ = meta_graph_client(connection=connection)
    client_.setup_status(installed_shop.commerce_account_id)

    major = int(settings.META_GRAPH_API_VERSION.removeprefix("v").split(".")[0])
    assert client_.last_version_mismatch == f"v{major + 1}.0"
    signal = PlatformSignal.objects.get(shop=shop)
    assert signal.platform == "meta" and signal.call == "GET /{id}/setup_status"
    assert signal.signal == f"Graph API {settings.META_GRAPH_API_VERSION} answered as v{major + 1}.0"
    assert "A Meta Graph response to OrderGuard&#x27;s call GET /{id}/setup_status said it uses something deprecated" in _section(client, shop)
    assert "Een antwoord van Meta Graph op de aanroep GET /{id}/setup_status" in _section(client, shop, locale="nl")
    out = StringIO()
    call_command("platform_notices", "--json", stdout=out)
    assert [s["platform"] for s in json.loads(out.getvalue())["deprecation_signals"]] == ["meta"]


def test_a_signal_seen_again_moves_last_seen_and_a_new_one_starts_over(client):
    shop = make_shop(domain=SHOP_A)
    start = timezone.now()
    platform_signal_record(shop_id=shop.pk, platform="shopify", signal="reason A", call="Q1", now=start)
    platform_signal_record(shop_id=shop.pk, platform="shopify", signal="reason A", call="Q1", now=start + timedelta(seconds=10))
    row = PlatformSignal.objects.get()
    assert (row.last_seen_at, row.times_seen) == (start, 1)  # within a minute: no write
    platform_signal_record(shop_id=shop.pk, platform="shopify", signal="reason A", call="Q2", now=start + timedelta(hours=1))
    row.refresh_from_db()
    assert (row.first_seen_at, row.last_seen_at, row.call, row.times_seen) == (start, start + timedelta(hours=1), "Q2", 2)
    platform_signal_record(shop_id=shop.pk, platform="shopify", signal="reason B", call="Q3", now=start + timedelta(hours=2))
    row.refresh_from_db()
    assert (row.signal, row.first_seen_at, row.times_seen) == ("reason B", start + timedelta(hours=2), 1)
    platform_signal_record(shop_id=shop.pk, platform="meta", signal="<script>x</script>", call="GET /{id}", now=start)
    assert PlatformSignal.objects.count() == 2
    with translation.override("en"):
        texts = [notice.text for notice in platform_notices_for(shop=shop) if notice.kind == "deprecation_signal"]
    assert len(texts) == 2 and any("reason B" in text for text in texts)
    page = _section(client, shop)
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
