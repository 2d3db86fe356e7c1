"""Reads of shop-owned rows, always scoped by the shop the request or task is acting for."""

from __future__ import annotations

from django.db.models import QuerySet

from orderguard.shops.models import DataRequestExport, Shop


def data_request_exports(*, shop: Shop) -> QuerySet[DataRequestExport]:
    return DataRequestExport.objects.filter(shop=shop).order_by("-created_at")


def data_request_export_get(*, shop: Shop, export_id: int) -> DataRequestExport | None:
    return DataRequestExport.objects.filter(shop=shop, pk=export_id).first()
