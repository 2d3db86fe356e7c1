"""Shopify webhooks: signatures, routing, deduplication, uninstall and the compliance topics."""

from __future__ import annotations

import json
import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from orderguard.sandbox.models import SandboxShop, SandboxToken
from orderguard.sandbox.shopify import webhooks as sender
from orderguard.shops import webhooks
from orderguard.shops.models import DataRequestExport, OfflineToken, Shop, WebhookDelivery
from tests.helpers import SHOP_A, SHOP_B, bearer, make_sandbox_shop, open_app

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def _signed(topic: str, shop: str = SHOP_A, payload: dict | None = None, **kwargs) -> sender.SignedWebhook:
    body = payload if payload is not None else sender.for_shop(sender.example_payload(topic), shop)
    return sender.sign(topic=topic, shop_domain=shop, payload=body, **kwargs)


def _post(client, webhook: sender.SignedWebhook, *, path: str | None = None, body: bytes | None = None, **header_overrides):
    headers = {**webhook.headers, **header_overrides}
    headers.pop("Content-Type")
    return client.post(path or f"/webhooks/{webhook.topic}", data=body if body is not None else webhook.body,
                       content_type="application/json", headers=headers)


@pytest.fixture
def installed(client, app_server):
    make_sandbox_shop(SHOP_A, name="Alpha Goods", currency="EUR")
    assert open_app(client, SHOP_A).status_code == 200
    return Shop.objects.get(domain=SHOP_A)


# Signature and routing
# ------------------------------------------------------------------------------------------------------


def test_a_flipped_byte_in_the_body_is_refused_before_anything_is_stored(client):
    webhook = _signed("orders/create")
    tampered = bytearray(webhook.body)
    tampered[10] ^= 1
    assert _post(client, webhook, body=bytes(tampered)).status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_a_flipped_byte_in_the_signature_is_refused(client):
    webhook = _signed("orders/create")
    signature = bytearray(webhook.headers["X-Shopify-Hmac-Sha256"].encode())
    signature[3] = ord("A") if signature[3] != ord("A") else ord("B")
    assert _post(client, webhook, **{"X-Shopify-Hmac-Sha256": signature.decode()}).status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_a_missing_signature_is_refused(client):
    webhook = _signed("orders/create")
    headers = {k: v for k, v in webhook.headers.items() if k not in ("X-Shopify-Hmac-Sha256", "Content-Type")}
    response = client.post("/webhooks/orders/create", data=webhook.body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_anything_but_post_is_405(client):
    assert client.get("/webhooks/app/uninstalled").status_code == 405


@pytest.mark.parametrize("topic", webhooks.TOPICS)
def test_the_documented_example_payload_of_each_topic_is_accepted(client, topic):
    response = _post(client, _signed(topic))
    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.topic == topic and delivery.shop_domain == SHOP_A


def test_the_route_fixes_the_topic(client):
    webhook = _signed("orders/updated")
    assert _post(client, webhook, path="/webhooks/app/uninstalled").status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_compliance_payloads_must_name_the_shop_of_the_header(client):
    payload = sender.for_shop(sender.example_payload("shop/redact"), SHOP_B)
    assert _post(client, _signed("shop/redact", SHOP_A, payload=payload)).status_code == 400
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_signed_bodies_that_are_not_a_json_object_are_400(client, body):
    webhook = _signed("orders/create")
    from orderguard.integrations.shopify.auth import webhook_signature

    response = _post(client, webhook, body=body, **{"X-Shopify-Hmac-Sha256": webhook_signature(body, settings.SHOPIFY_API_SECRET)})
    assert response.status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_an_invalid_shop_header_is_400(client):
    webhook = _signed("orders/create")
    assert _post(client, webhook, **{"X-Shopify-Shop-Domain": "x.myshopify.com.evil.tld"}).status_code == 400


# Deduplication
# ------------------------------------------------------------------------------------------------------


def test_twenty_concurrent_identical_deliveries_are_recorded_and_processed_once(app_server, monkeypatch):
    webhook = _signed("orders/updated")
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def deliver() -> None:
        barrier.wait()
        statuses.append(sender.deliver(webhook).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 20
    delivery = WebhookDelivery.objects.get()

    handled: list[int] = []
    monkeypatch.setitem(webhooks._handlers, "orders/updated", lambda d: handled.append(d.pk) or "counted")
    def process() -> None:
        try:
            webhooks.webhook_delivery_process(delivery_id=delivery.pk)
        finally:
            connections.close_all()  # this thread's own database connection

    workers = [threading.Thread(target=process) for _ in range(5)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert handled == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DONE and delivery.payload == {}


def test_a_new_delivery_is_one_statement_and_a_duplicate_two_with_the_shop_and_defaults_set(installed, client):
    from django.test.utils import CaptureQueriesContext

    webhook = _signed("orders/create", event_id="evt-statements")
    with CaptureQueriesContext(connection) as first:
        assert _post(client, webhook).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert _post(client, webhook).status_code == 200
    assert (len(first), len(again)) == (1, 2), [q["sql"] for q in (*first, *again)]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.shop_id, delivery.dedupe_key, delivery.status, delivery.attempts) == (installed.pk, "event:evt-statements", "pending", 0)
    assert delivery.received_at and delivery.available_at and delivery.payload["id"] == json.loads(webhook.body)["id"]
    assert delivery.api_version == webhook.headers["X-Shopify-API-Version"]


def test_a_delivery_for_a_shop_that_is_not_installed_is_kept_without_a_shop(client):
    assert _post(client, _signed("orders/create", shop=SHOP_B)).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.shop_id, delivery.shop_domain) == (None, SHOP_B)


def test_a_delivery_whose_handler_fails_is_retried_and_not_lost(client, monkeypatch):
    _post(client, _signed("orders/updated"))
    delivery = WebhookDelivery.objects.get()

    def broken(_):
        raise RuntimeError("transient")

    monkeypatch.setitem(webhooks._handlers, "orders/updated", broken)
    with pytest.raises(RuntimeError):
        webhooks.webhook_delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.payload

    monkeypatch.setitem(webhooks._handlers, "orders/updated", lambda d: "ok")
    assert webhooks.webhook_deliveries_due() == []  # the sweeper's grace has not passed yet
    WebhookDelivery.objects.filter(pk=delivery.pk).update(available_at=delivery.available_at.replace(year=2020))
    assert webhooks.webhook_deliveries_due() == [delivery.pk]
    assert webhooks.webhook_delivery_process(delivery_id=delivery.pk) == "ok"


# Uninstall
# ------------------------------------------------------------------------------------------------------


def _uninstall_on_shopify(shop_domain: str) -> None:
    sandbox_shop = SandboxShop.objects.get(domain=shop_domain)
    SandboxToken.objects.filter(shop=sandbox_shop).update(revoked_at="2026-01-01T00:00:00Z")
    sandbox_shop.app_installed = False
    sandbox_shop.save()


def _process_all() -> list[str]:
    return [webhooks.webhook_delivery_process(delivery_id=pk) for pk in WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).values_list("pk", flat=True)]


def test_app_uninstalled_revokes_tokens_and_stops_work_even_when_delivered_twice(installed, client):
    _uninstall_on_shopify(SHOP_A)
    assert _post(client, _signed("app/uninstalled")).status_code == 200
    assert _post(client, _signed("app/uninstalled")).status_code == 200  # a second event for the same uninstall

    assert _process_all() == ["uninstalled", "ignored: already uninstalled"]
    shop = Shop.objects.get(pk=installed.pk)
    assert shop.status == Shop.Status.UNINSTALLED and shop.uninstalled_at
    assert not OfflineToken.objects.filter(shop=shop).exists()


def test_an_app_uninstalled_delivery_while_the_app_is_installed_changes_nothing(installed, client):
    _post(client, _signed("app/uninstalled"))  # replayed or stale: Shopify still accepts our token
    assert _process_all() == ["ignored: the app is still installed"]
    assert Shop.objects.get(pk=installed.pk).status == Shop.Status.ACTIVE
    assert OfflineToken.objects.filter(shop=installed).exists()


def test_app_scopes_update_records_the_current_scopes(installed, client):
    _post(client, _signed("app/scopes_update", payload={"id": 1, "previous": [], "current": ["read_orders", "read_products"]}))
    assert _process_all() == ["scopes updated"]
    assert Shop.objects.get(pk=installed.pk).scopes == "read_orders,read_products"


# Compliance
# ------------------------------------------------------------------------------------------------------


def _rows_of_shop(shop_id: int, shop_domain: str) -> dict[str, int]:
    """Count rows that still belong to the shop in every table, found by looking at the schema itself."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
            quoted = connection.ops.quote_name(table)
            for column, value in (("shop_id", shop_id), ("shop_domain", shop_domain), ("domain", shop_domain)):
                if column in columns:
                    cursor.execute(f"SELECT COUNT(*) FROM {quoted} WHERE {connection.ops.quote_name(column)} = %s", [value])
                    count = cursor.fetchone()[0]
                    if count:
                        found[f"{table}.{column}"] = count
    return found


def test_shop_redact_leaves_no_row_of_the_shop_behind(installed, client):
    DataRequestExport.objects.create(shop=installed, shopify_customer_id="1", export={"x": 1})
    _post(client, _signed("orders/create"))
    _post(client, _signed("customers/data_request"))
    _process_all()
    assert _rows_of_shop(installed.pk, SHOP_A)  # the shop really had rows

    assert _post(client, _signed("shop/redact")).status_code == 200
    _process_all()

    assert _rows_of_shop(installed.pk, SHOP_A) == {}


def test_customers_redact_erases_that_buyer_only(installed, client):
    keep = DataRequestExport.objects.create(shop=installed, shopify_customer_id="999", customer_email="other@example.com", export={})
    DataRequestExport.objects.create(shop=installed, shopify_customer_id="191167", customer_email="john@example.com", export={})

    _post(client, _signed("customers/redact"))
    assert _process_all() == ["erased 1 records"]

    assert list(DataRequestExport.objects.values_list("pk", flat=True)) == [keep.pk]


def test_customers_data_request_produces_an_export_the_merchant_can_download(installed, client):
    _post(client, _signed("customers/data_request"))
    (outcome,) = _process_all()
    export = DataRequestExport.objects.get(shop=installed)
    assert outcome == f"export {export.pk} ready"
    assert export.shopify_customer_id == "191167" and export.customer_email == "john@example.com"

    page = client.get("/app/settings/", headers=bearer(SHOP_A))
    assert b"john@example.com" in page.content
    download = client.get(f"/app/privacy/exports/{export.pk}.json", headers=bearer(SHOP_A))
    assert download.status_code == 200
    assert json.loads(download.content)["customer"]["email"] == "john@example.com"
