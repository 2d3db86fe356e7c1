"""Reads of shop-owned rows, always scoped by the shop the request or task is acting for."""

from __future__ import annotations

from django.db.models import QuerySet

from orderguard.integrations.shopify.auth import normalize_shop_handle_or_domain
from orderguard.shops.models import DataRequestExport, Shop


def shop_by_domain_or_handle(*, value: str) -> Shop | None:
    """The shop a command line names, by its myshopify domain or its handle alone (`maple-and-moss`)."""
    domain = normalize_shop_handle_or_domain(value)
    return Shop.objects.filter(domain=domain).first() if domain else None


def data_request_exports(*, shop: Shop) -> QuerySet[DataRequestExport]:
    return DataRequestExport.objects.filter(shop=shop).order_by("-created_at")


def data_request_export_get(*, shop: Shop, export_id: int) -> DataRequestExport | None:
    return DataRequestExport.objects.filter(shop=shop, pk=export_id).first()
