"""Buyer data in social orders, for the compliance webhooks: exported on customers/data_request and
erased on customers/redact (shop/redact erases the rows themselves, like every shop-scoped table)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from orderguard.orders.models import SocialOrder
from orderguard.shops.compliance import CustomerRef, register_personal_data_provider
from orderguard.shops.models import Shop

BUYER_FIELDS = ("buyer_name", "buyer_email", "shipping_address")
ERASED_BUYER_DATA = {"buyer_name": "", "buyer_email": "", "shipping_address": {}}


def social_orders_buyer_data_erase(*, orders: QuerySet[SocialOrder]) -> int:
    """Blank the buyer data of `orders` (customers/redact, and the retention period's expiry), and mark it
    erased so a later poll that reads the order from Meta again does not bring it back."""
    return orders.update(**ERASED_BUYER_DATA, buyer_data_erased_at=timezone.now())


class SocialOrderBuyerData:
    label = "social_orders"

    def _orders(self, *, shop: Shop, customer: CustomerRef):
        query = Q()
        if customer.email:
            query |= Q(buyer_email__iexact=customer.email)
        if customer.shopify_order_ids:
            query |= Q(shopify_order_id__in=[f"gid://shopify/Order/{order_id}" for order_id in customer.shopify_order_ids])
        if not query:
            return SocialOrder.objects.none()
        return SocialOrder.objects.filter(shop=shop).filter(query)

    def export(self, *, shop: Shop, customer: CustomerRef) -> list[dict]:
        return [
            {
                "meta_order_id": order.meta_order_id,
                "channel": order.channel,
                "placed_at": order.meta_created_at.isoformat(),
                "buyer_name": order.buyer_name,
                "buyer_email": order.buyer_email,
                "shipping_address": order.shipping_address,
                "items": [{"product_name": item.get("product_name"), "quantity": item.get("quantity")} for item in order.items],
            }
            for order in self._orders(shop=shop, customer=customer)
        ]

    def redact(self, *, shop: Shop, customer: CustomerRef) -> int:
        return social_orders_buyer_data_erase(orders=self._orders(shop=shop, customer=customer))


register_personal_data_provider(SocialOrderBuyerData())
