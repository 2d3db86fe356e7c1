"""Destinations and alerts for the alert tests (created through the services, as the app does)."""

from __future__ import annotations

from orderguard.alerts.destinations import alert_destination_create
from orderguard.alerts.models import Alert, AlertDestination

ORDERS = [
    {"id": "111", "name": "Meta order 111", "amount": "49.95", "currency": "EUR", "url": "https://admin.shopify.com/store/alpha-goods/apps/orderguard/orders/111"},
    {"id": "222", "name": "Meta order 222", "amount": "12.50", "currency": "EUR"},
]
PAYLOAD = {
    "orders": ORDERS,
    "money_at_stake": {"amount": "62.45", "currency": "EUR"},
    "link": "https://admin.shopify.com/store/alpha-goods/apps/orderguard",
}


def destination(shop, kind: str, target: str, **kwargs) -> AlertDestination:
    return alert_destination_create(shop=shop, kind=kind, label=f"{kind} test", target=target, **kwargs)


def alert(shop, event: str = Alert.Event.ORDER_STUCK, *, key: str = "order_stuck:111", payload: dict | None = None) -> Alert:
    return Alert.objects.create(shop=shop, event=event, dedupe_key=key, payload=PAYLOAD if payload is None else payload)
