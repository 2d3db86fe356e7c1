"""Reads of shop-owned rows, always scoped by the shop the request or task is acting for."""

from __future__ import annotations

from functools import cache

from django.db.models import QuerySet

from orderguard.core import sql
from orderguard.integrations.shopify.auth import normalize_shop_handle_or_domain
from orderguard.shops.models import DataRequestExport, Shop, ShopPreferences


def shop_by_domain_or_handle(*, value: str) -> Shop | None:
    """The shop a command line names, by its myshopify domain or its handle alone (`maple-and-moss`)."""
    domain = normalize_shop_handle_or_domain(value)
    return Shop.objects.filter(domain=domain).first() if domain else None


def data_request_exports(*, shop: Shop) -> QuerySet[DataRequestExport]:
    return DataRequestExport.objects.filter(shop=shop).order_by("-created_at")


def data_request_export_get(*, shop: Shop, export_id: int) -> DataRequestExport | None:
    return DataRequestExport.objects.filter(shop=shop, pk=export_id).first()


def shop_with_preferences(*, shop_id: int) -> Shop | None:
    """The shop with its saved preferences (or none saved) in one read, as select_related("preferences")
    loads it. Every poll task starts with this read, so it is plain SQL (orderguard.core.sql says why)."""
    rows = sql.fetch_rows(_shop_with_preferences_sql(), sql.adapted(Shop, {"id": shop_id}))
    if not rows:
        return None
    split = sql.width(Shop)
    shop = sql.instances(Shop, [rows[0][:split]])[0]
    saved = rows[0][split:]
    preferences = sql.instances(ShopPreferences, [saved])[0] if saved[0] is not None else None
    Shop._meta.get_field("preferences").set_cached_value(shop, preferences)
    if preferences is not None:
        ShopPreferences._meta.get_field("shop").set_cached_value(preferences, shop)
    return shop


@cache
def _shop_with_preferences_sql() -> str:
    shops, preferences = sql.table(Shop), sql.table(ShopPreferences)
    return (f"SELECT {sql.columns(Shop, qualified=True)}, {sql.columns(ShopPreferences, qualified=True)}"
            f" FROM {shops} LEFT JOIN {preferences} ON {preferences}.shop_id = {shops}.id WHERE {shops}.id = %s")
