"""Builders for test data, keyword-only, each with defaults that make a valid row or value.

Two kinds:
- rows written straight into the app's database (`make_shop`, `make_meta_connection`, `make_poll_state`,
  `make_social_order`) and in-memory Meta results (`make_meta_order`, `make_meta_order_item`), for tests
  that need no platform;
- `install_and_connect`, the recipe an end-to-end test starts from: a sandbox scenario loaded, the app
  installed through token exchange and its Meta commerce account connected (tests/conftest.py wraps it
  in the `installed_shop` fixture).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from orderguard.integrations.meta.types import MetaOrder, MetaOrderItem
from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.services import meta_connection_connect
from orderguard.orders.models import PollState, SocialOrder, SocialOrderEvent
from orderguard.reconciliation.engine import NEEDS_ACTION
from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.models import SandboxShop
from orderguard.sandbox.scenarios.loader import load_file
from orderguard.shops.models import OfflineToken, Shop
from tests.helpers import SHOP_A, make_sandbox_shop, open_app
from tests.scenarios import BROKEN_CHANNEL

COMMERCE_ACCOUNT_ID = "1054872930216647"

# Rows in the app's database
# ------------------------------------------------------------------------------------------------------


def make_shop(*, domain: str = SHOP_A, name: str = "Alpha Goods", currency: str = "USD") -> Shop:
    """An installed shop with an offline token (never used to call Shopify)."""
    shop = Shop.objects.create(domain=domain, name=name, currency_code=currency, installed_at=timezone.now())
    OfflineToken.objects.create(shop=shop, access_token="shpat_test", expires_at=timezone.now() + timedelta(hours=1))
    return shop


def make_meta_connection(*, shop: Shop, commerce_account_id: str = COMMERCE_ACCOUNT_ID, **fields) -> MetaConnection:
    """A connected Meta commerce account whose Shopify app is registered."""
    defaults = {"source": MetaConnection.Source.OPERATOR, "commerce_account_name": f"{shop.name} on Meta", "access_token": "EAAtest",
                "order_management_apps": [{"id": "2329312", "name": "Shopify"}]}
    return MetaConnection.objects.create(shop=shop, commerce_account_id=commerce_account_id, **{**defaults, **fields})


def make_poll_state(*, shop: Shop, **fields) -> PollState:
    """A shop due for a poll now, unless fields say otherwise."""
    return PollState.objects.create(shop=shop, **{"next_poll_at": timezone.now(), **fields})


def make_social_order(*, shop: Shop, meta_order_id: str, status: str, reason: str, age: timedelta, amount: str = "100.00",
                      channel: str = "facebook", buyer: str = "Ada Buyer", currency: str = "USD", **fields) -> SocialOrder:
    """A classified social order placed `age` ago, with one item and its first history event."""
    created = timezone.now() - age
    needs_action = status in NEEDS_ACTION
    order = SocialOrder.objects.create(
        shop=shop, meta_order_id=meta_order_id, commerce_account_id=COMMERCE_ACCOUNT_ID, channel=channel,
        meta_state=fields.pop("meta_state", "CREATED"), meta_created_at=created, meta_updated_at=created,
        buyer_name=buyer, buyer_email=f"{buyer.split()[0].lower()}@marketplace.facebook.com",
        shipping_address={"name": buyer, "street1": "1 Main St", "city": "Portland", "state": "ME", "postal_code": "04101", "country": "US"},
        items=[{"product_name": "Trail Jacket", "retailer_id": "MM-JKT-1", "quantity": 1, "price_per_unit": amount, "currency": currency}],
        total_amount=Decimal(amount), currency=currency, status=status, reason=reason, needs_action=needs_action,
        deadline_at=fields.pop("deadline_at", created + timedelta(days=30)),
        stuck_since=created + timedelta(hours=1) if needs_action else None,
        **fields,
    )
    SocialOrderEvent.objects.create(shop=shop, order=order, kind="meta_state", to_value=order.meta_state, at=created)
    return order


# Meta's answers, parsed (integrations/meta/types.py)
# ------------------------------------------------------------------------------------------------------


def make_meta_order_item(*, retailer_id: str = "MM-JKT-1", quantity: int = 1, price: str = "100.00", currency: str = "USD",
                         cancelled_quantity: int | None = 0, **fields) -> MetaOrderItem:
    defaults: dict[str, Any] = {"id": f"item-{retailer_id}", "product_id": "", "product_name": "Trail Jacket"}
    return MetaOrderItem(retailer_id=retailer_id, quantity=quantity, price_per_unit=Decimal(price), currency=currency,
                         cancelled_quantity=cancelled_quantity, **{**defaults, **fields})


def make_meta_order(*, id: str = "2904417823351201", state: str = "CREATED", created: datetime | None = None,
                    channel: str = "facebook", items: tuple[MetaOrderItem, ...] | None = None, **fields) -> MetaOrder:
    """An order as `MetaGraphClient.list_orders` yields it; `last_updated` defaults to `created`."""
    created = created or datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    items = items if items is not None else (make_meta_order_item(),)
    total = sum((item.price_per_unit * item.quantity for item in items if item.price_per_unit is not None), Decimal("0"))
    defaults: dict[str, Any] = {
        "last_updated": created, "merchant_order_id": "", "ship_by_date": None, "is_test_order": False,
        "buyer_name": "Ada Buyer", "buyer_email": "ada@marketplace.facebook.com", "email_remarketing_option": False,
        "shipping_address": {"name": "Ada Buyer", "street1": "1 Main St", "city": "Portland", "state": "ME",
                             "postal_code": "04101", "country": "US"},
        "total_amount": total, "currency": items[0].currency if items else "USD",
    }
    return MetaOrder(id=id, state=state, created=created, channel=channel, items=items, **{**defaults, **fields})


# An installed shop, end to end through the sandbox
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstalledShop:
    shop: Shop
    # The scenario's first system-user token and the commerce account it covers ("" for a bare shop).
    meta_token: str
    commerce_account_id: str


def install_and_connect(*, client, scenario: str | None = BROKEN_CHANNEL, connected: bool = True) -> InstalledShop:
    """What the sandbox admin does when the merchant first opens the app (managed installation), then the
    first page load (token exchange over HTTP) and, if `connected`, the operator connecting Meta.

    `scenario=None` is a bare sandbox shop (Alpha Goods) with no Meta account. Needs the live server."""
    if scenario is None:
        make_sandbox_shop(SHOP_A, name="Alpha Goods", currency="EUR")
        domain, token, account = SHOP_A, "", ""
    else:
        result = load_file(scenario)
        SandboxShop.objects.filter(domain=result.shop).update(app_installed=True, granted_scopes=app_toml_scopes())
        domain, token, account = result.shop, result.tokens[0].value, result.tokens[0].accounts[0]
    assert open_app(client, domain).status_code == 200
    shop = Shop.objects.get(domain=domain)
    if connected and scenario is not None:
        meta_connection_connect(shop=shop, commerce_account_id=account, access_token=token, source=MetaConnection.Source.OPERATOR)
    return InstalledShop(shop=shop, meta_token=token, commerce_account_id=account)
