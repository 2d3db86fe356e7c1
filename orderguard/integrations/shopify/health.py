"""Health reads of the Admin client: the Facebook & Instagram channel, variants on its publication,
delivery coverage and Shopify Payments. A mixin of ShopifyAdminClient (which provides `query`).

The legacy channel list (`installed_channel_definitions`, deprecated in 2026-10) stays on the client as
the fallback when the channel app cannot be read.
"""

from __future__ import annotations

from orderguard.integrations.shopify.health_types import (
    FACEBOOK_APP_GID,
    ChannelHealth,
    DeliveryCoverage,
    PaymentsStatus,
    VariantOnChannel,
)


class HealthReads:
    """Mixed into ShopifyAdminClient."""

    def channel_health(self, *, app_id: str = FACEBOOK_APP_GID) -> ChannelHealth:
        return ChannelHealth.from_data(self.query("channel_health", {"metaAppId": app_id}).data)

    def variant_on_channel(self, variant_id: str, *, publication_id: str) -> VariantOnChannel | None:
        """The variant, or None when it does not exist (deleted)."""
        node = self.query("variant_on_channel", {"id": variant_id, "publicationId": publication_id}).data.get("productVariant")
        return VariantOnChannel.from_node(node) if node else None

    def delivery_coverage(self) -> DeliveryCoverage:
        return DeliveryCoverage.from_data(self.query("delivery_coverage").data)

    def shopify_payments_status(self) -> PaymentsStatus | None:
        """None when the shop has no Shopify Payments account. Needs the optional read_shopify_payments."""
        return PaymentsStatus.from_data(self.query("shopify_payments_status").data)
