"""Cancelling a Meta order with the Graph client against the sandbox Meta over HTTP: one cancel per
idempotency key, a timeout resolved by reading the cancellations, Meta's own refusals, and the refusal
of an app that is not the account's order-management app."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from orderguard.integrations.meta import (
    CancelResult,
    MetaGraphClient,
    MetaInvalidRequestError,
    MetaPermissionError,
    MetaTransientError,
)
from orderguard.remediation.cancel_rules import CancelReason, cancel_verdict_for_order
from orderguard.sandbox.meta import services
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaOrder
from orderguard.sandbox.scenarios import loader
from tests.sandbox.helpers import CMS, MANAGE_TOKEN, TOKEN, base_scenario, meta_order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)

CREATED = "2300000000000001"
PROCESSING = "2300000000000002"
SHIPPED = "2300000000000003"


@pytest.fixture
def world(app_server):
    loader.load(base_scenario([
        meta_order(CREATED, "CREATED", "-3h"),
        meta_order(PROCESSING, "FB_PROCESSING", "-10m"),
        meta_order(SHIPPED, "COMPLETED", "-6d", shipped={"at": "-4d"}),
    ]))


def _client(token: str = MANAGE_TOKEN, **kwargs) -> MetaGraphClient:
    return MetaGraphClient(access_token=token, app_secret=settings.META_APP_SECRET, app_id=settings.META_APP_ID,
                           base_url=settings.META_GRAPH_BASE_URL, api_version=settings.META_GRAPH_API_VERSION,
                           sleep=lambda seconds: None, **kwargs)


def _cancel(client: MetaGraphClient, order_id: str = CREATED, key: str = "action-1-cancel") -> CancelResult:
    return client.cancel_order(order_id, idempotency_key=key, reason_code=CancelReason.OUT_OF_STOCK,
                               reason_description="Sorry, this item sold out.", restock_items=True)


def test_the_same_key_twice_cancels_once(world):
    client = _client()
    assert _cancel(client) == CancelResult(success=True, idempotency_key="action-1-cancel")
    assert _cancel(client) == CancelResult(success=True, idempotency_key="action-1-cancel")

    (cancellation,) = client.order_cancellations(CREATED)
    assert (cancellation.reason_code, cancellation.reason_description, cancellation.restock_items) == (
        "OUT_OF_STOCK", "Sorry, this item sold out.", True)
    assert [(item.retailer_id, item.quantity) for item in cancellation.items] == [("SKU-1", 1)]
    order = client.get_order(CREATED)
    assert order.state == "COMPLETED" and order.fully_cancelled
    assert cancel_verdict_for_order(order, now=order.created).refusal == "already_cancelled"


def test_a_timeout_after_the_cancel_ran_is_resolved_by_reading_the_cancellations(world):
    services.inject_fault(CMS, kind="slow", seconds=1.0)
    client = _client(timeout=(2, 0.3))
    with pytest.raises(MetaTransientError):
        _cancel(client)
    assert client.calls == 1  # the write was not retried

    deadline = time.monotonic() + 5
    while not (cancellations := client.order_cancellations(CREATED)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(cancellations) == 1  # it ran: the caller must not cancel again
    assert len(MetaOrder.objects.get(pk=CREATED).cancellations) == 1


def test_meta_refuses_young_processing_and_shipped_orders(world):
    client = _client()
    with pytest.raises(MetaInvalidRequestError):
        _cancel(client, PROCESSING, "k-processing")
    with pytest.raises(MetaInvalidRequestError):
        _cancel(client, SHIPPED, "k-shipped")
    assert client.order_cancellations(PROCESSING) == [] and client.order_cancellations(SHIPPED) == []


def test_a_read_only_connection_cannot_cancel(world):
    with pytest.raises(MetaPermissionError):
        _cancel(_client(TOKEN))
    assert MetaOrder.objects.get(pk=CREATED).cancellations == []


def test_an_app_that_is_not_the_order_management_app_is_refused_when_meta_says_so(world):
    services.inject_fault(CMS, kind="order_writes_refused")
    client = _client()
    with pytest.raises(MetaPermissionError) as raised:
        _cancel(client)
    assert raised.value.code == 3
    assert client.get_order(CREATED).state == "CREATED"  # reads still work, and nothing was cancelled
    assert MetaCommerceAccount.objects.get(pk=CMS).faults[0]["type"] == "order_writes_refused"  # it stays

    # Were OrderGuard the registered order-management app, Meta would accept it.
    MetaCommerceAccount.objects.filter(pk=CMS).update(order_management_apps=[{"id": settings.META_APP_ID, "name": "OrderGuard"}])
    assert _cancel(client, key="action-1-cancel-after").success
