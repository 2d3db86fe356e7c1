"""Builders and counters for the 'cancel and send a store link' tests: a broken-channel shop whose Meta
items map to Shopify variants (by SKU), connected with a token that may manage orders, polled once; and
what the sandbox saw (Meta cancellations, draft orders, invoice emails)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import NamedTuple

from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.services import meta_connection_connect
from orderguard.orders.models import SocialOrder
from orderguard.orders.polling import poll_shop
from orderguard.remediation.cancel_start import CancelOptions, cancel_and_link_start
from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_run
from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.meta.models import MetaOrder, MetaToken
from orderguard.sandbox.models import SandboxCall, SandboxShop
from orderguard.sandbox.scenarios.loader import load_file
from orderguard.sandbox.shopify.draft_models import SandboxDraftOrder, SandboxInvoiceEmail, SandboxProductVariant
from orderguard.shops.models import Shop
from tests.helpers import open_app
from tests.scenarios import BROKEN_CHANNEL

# broken-channel's stuck orders used here: one item; two items (tent + stakes).
ONE_ITEM = "2904417823351201"  # 1 x Hickory Camp Hatchet (FH-AXE-14), Marcus Bell
TWO_ITEMS = "2904417823351203"  # Ridge 2-Person Tent (FH-TNT-2P) + Aluminum Tent Stakes (FH-STK-AL)
READ, MANAGE, SETTINGS = "commerce_account_read_orders", "commerce_account_manage_orders", "commerce_account_read_settings"


@dataclass(frozen=True)
class StuckShop:
    shop: Shop
    sandbox_shop: SandboxShop
    commerce_account_id: str

    def order(self, meta_order_id: str = ONE_ITEM) -> SocialOrder:
        return SocialOrder.objects.get(shop=self.shop, meta_order_id=meta_order_id)


def stuck_shop(*, client, manage_orders: bool = True) -> StuckShop:
    """Broken-channel installed, its items in Shopify as variants (matched by SKU), Meta connected, polled."""
    result = load_file(BROKEN_CHANNEL)
    SandboxShop.objects.filter(domain=result.shop).update(app_installed=True, granted_scopes=app_toml_scopes())
    token = result.tokens[0]
    MetaToken.objects.filter(value=token.value).update(scopes=[READ, MANAGE, SETTINGS] if manage_orders else [READ, SETTINGS])
    sandbox_shop = SandboxShop.objects.get(domain=result.shop)
    skus: dict[str, dict] = {}
    for order in MetaOrder.objects.filter(account_id=token.accounts[0]):
        for item in order.items:
            skus.setdefault(item["retailer_id"], item)
    for index, (sku, item) in enumerate(sorted(skus.items())):
        SandboxProductVariant.objects.create(
            shop=sandbox_shop, numeric_id=45000000000001 + index, product_numeric_id=9000000000001 + index,
            product_title=item["product_name"], sku=sku, price=item["price_per_unit"],
        )
    assert open_app(client, result.shop).status_code == 200
    shop = Shop.objects.get(domain=result.shop)
    meta_connection_connect(shop=shop, commerce_account_id=token.accounts[0], access_token=token.value, source=MetaConnection.Source.OPERATOR)
    assert poll_shop(shop=shop).outcome == "ok"
    return StuckShop(shop=shop, sandbox_shop=sandbox_shop, commerce_account_id=token.accounts[0])


def start(stuck: StuckShop, meta_order_id: str = ONE_ITEM, *, key: str = "k" * 24, **options) -> RemediationAction:
    values = {"reason_code": "OUT_OF_STOCK", "reason_description": "Sold out, sorry.", "message": "Here is your link.", **options}
    return cancel_and_link_start(shop=stuck.shop, order=stuck.order(meta_order_id), idempotency_key=key, actor="test", options=CancelOptions(**values))


class Seen(NamedTuple):
    meta_cancellations: int
    cancel_posts: int
    drafts: int
    invoice_emails: int


def seen(meta_order_id: str = ONE_ITEM) -> Seen:
    """What reached the platforms for one Meta order."""
    order = MetaOrder.objects.get(pk=meta_order_id)
    drafts = [draft.pk for draft in SandboxDraftOrder.objects.all() if f"orderguard-meta-{meta_order_id}" in draft.tags]
    return Seen(
        meta_cancellations=len(order.cancellations),
        cancel_posts=SandboxCall.objects.filter(platform="meta", operation__startswith="POST", operation__contains="cancellations").count(),
        drafts=len(drafts),
        invoice_emails=SandboxInvoiceEmail.objects.filter(draft_order_id__in=drafts).count(),
    )


def run_action_in_background(*meta_order_ids: str) -> threading.Thread:
    """A worker stand-in for browser tests: runs the action as soon as the merchant confirmed it (within 20 s)."""

    def work() -> None:
        for _ in range(200):
            action = RemediationAction.objects.filter(order__meta_order_id__in=meta_order_ids).first()
            if action is not None:
                remediation_action_run(action_id=action.pk)
                return
            threading.Event().wait(0.1)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread
