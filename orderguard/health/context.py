"""What the checks of one run read, each platform read made at most once per run (several checks look
at the same /debug_token answer) and its failure remembered, so a check that needs it re-raises it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from orderguard.integrations.meta.client import MetaGraphClient
from orderguard.integrations.meta.health_types import CheckoutSettings, MetaShop, SetupStatusDetail
from orderguard.integrations.meta.types import CommerceAccount, MetaApp, TokenInfo
from orderguard.integrations.shopify.client import ShopifyAdminClient
from orderguard.integrations.shopify.health_types import ChannelHealth, DeliveryCoverage, PaymentsStatus, VariantOnChannel
from orderguard.integrations.shopify.types import ChannelDefinition
from orderguard.meta_connections.clients import meta_graph_client
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState, SocialOrder
from orderguard.orders.selectors import stuck_orders
from orderguard.shops.clients import shopify_admin_client
from orderguard.shops.models import Shop

MAX_VARIANTS = 25  # variants looked up per run: the stuck orders' items, most recent first


class CheckContext:
    def __init__(self, *, shop: Shop, now: datetime):
        self.shop = shop
        self.now = now
        self.connection: MetaConnection | None = MetaConnection.objects.filter(shop=shop).exclude(
            status=MetaConnection.Status.DISCONNECTED).first()
        self.poll_state: PollState | None = PollState.objects.filter(shop=shop).first()
        self.stuck: list[SocialOrder] = list(stuck_orders(shop=shop)[:200])
        self._memo: dict[str, tuple[bool, Any]] = {}
        self._meta: MetaGraphClient | None = None
        self._shopify: ShopifyAdminClient | None = None

    @property
    def cms_id(self) -> str:
        return self.connection.commerce_account_id if self.connection else ""

    def _once(self, key: str, read: Callable[[], Any]) -> Any:
        if key not in self._memo:
            try:
                self._memo[key] = (True, read())
            except Exception as error:  # noqa: BLE001 - remembered and re-raised to each check that needs it
                self._memo[key] = (False, error)
        ok, value = self._memo[key]
        if not ok:
            raise value
        return value

    # Meta ----------------------------------------------------------------------------------------------

    def meta(self) -> MetaGraphClient:
        if self._meta is None:
            self._meta = meta_graph_client(connection=self.connection)
        return self._meta

    def token_info(self) -> TokenInfo:
        return self._once("debug_token", lambda: meta_graph_client().debug_token(self.connection.access_token))

    def commerce_account(self) -> CommerceAccount:
        return self._once("account", lambda: self.meta().commerce_account(self.cms_id))

    def setup_status(self) -> SetupStatusDetail:
        return self._once("setup_status", lambda: self.meta().setup_status_detail(self.cms_id))

    def meta_shops(self) -> list[MetaShop]:
        return self._once("shops", lambda: self.meta().commerce_shops(self.cms_id))

    def checkout(self) -> CheckoutSettings:
        return self._once("checkout", lambda: self.meta().checkout_settings(self.cms_id))

    def order_management_apps(self) -> list[MetaApp]:
        return self._once("apps", lambda: self.meta().order_management_apps(self.cms_id))

    # Shopify -------------------------------------------------------------------------------------------

    def shopify(self) -> ShopifyAdminClient:
        if self._shopify is None:
            self._shopify = shopify_admin_client(shop=self.shop)
        return self._shopify

    def channel(self) -> ChannelHealth:
        return self._once("channel", lambda: self.shopify().channel_health())

    def legacy_channels(self) -> list[ChannelDefinition]:
        return self._once("legacy_channels", lambda: self.shopify().installed_channel_definitions())

    def delivery(self) -> DeliveryCoverage:
        return self._once("delivery", lambda: self.shopify().delivery_coverage())

    def payments(self) -> PaymentsStatus | None:
        return self._once("payments", lambda: self.shopify().shopify_payments_status())

    def variants(self) -> dict[str, VariantOnChannel | None]:
        """The stuck orders' items by retailer_id: the variant found (by id or SKU), or None (deleted)."""
        return self._once("variants", self._read_variants)

    def _read_variants(self) -> dict[str, VariantOnChannel | None]:
        publication = self.channel().channel_publication
        client = self.shopify()
        found: dict[str, VariantOnChannel | None] = {}
        for retailer_id in self.stuck_retailer_ids()[:MAX_VARIANTS]:
            gid = _variant_gid(retailer_id)
            if gid is None:
                matches = client.product_variants_by_sku(retailer_id)
                gid = matches[0].id if matches else None
            if gid is None:
                found[retailer_id] = None
            elif publication is not None:
                found[retailer_id] = client.variant_on_channel(gid, publication_id=publication.id)
            else:
                variant = client.product_variants_by_ids([gid]).get(gid)
                found[retailer_id] = None if variant is None else VariantOnChannel(
                    id=variant.id, sku=variant.sku, product_title=variant.product_title, product_status=variant.product_status,
                    available_for_sale=variant.available_for_sale, inventory_policy="", inventory_quantity=variant.inventory_quantity,
                    published=None)  # no channel publication to be published to
        return found

    def stuck_retailer_ids(self) -> list[str]:
        ids: dict[str, None] = {}
        for order in reversed(self.stuck):
            for item in order.items or ():
                if item.get("retailer_id"):
                    ids[str(item["retailer_id"])] = None
        return list(ids)


def _variant_gid(retailer_id: str) -> str | None:
    """A retailer_id that is a Shopify variant id (numeric, or its GID), as the channel's catalog syncs it."""
    if retailer_id.startswith("gid://shopify/ProductVariant/"):
        return retailer_id
    if retailer_id.isdigit():
        return f"gid://shopify/ProductVariant/{retailer_id}"
    return None
