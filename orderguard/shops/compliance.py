"""Privacy-law compliance: shop/redact, customers/redact and customers/data_request.

Other apps that keep buyer data register a PersonalDataProvider; shop/redact needs no registration: it
erases every row of every model with a foreign key to Shop, derived from the installed models, so a new
shop-scoped table is covered the day it is added.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from django.apps import apps
from django.db import models, transaction

from orderguard.shops.models import DataRequestExport, Shop, WebhookDelivery

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CustomerRef:
    """A buyer as Shopify's compliance payloads name them."""

    shopify_customer_id: str = ""
    email: str = ""
    phone: str = ""
    shopify_order_ids: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_payload(cls, payload: dict) -> CustomerRef:
        customer = payload.get("customer") or {}
        orders = payload.get("orders_to_redact") or payload.get("orders_requested") or []
        return cls(
            shopify_customer_id=str(customer.get("id") or ""),
            email=str(customer.get("email") or "").strip().lower(),
            phone=str(customer.get("phone") or ""),
            shopify_order_ids=tuple(str(order_id) for order_id in orders if order_id is not None),
        )


class PersonalDataProvider(Protocol):
    label: str

    def export(self, *, shop: Shop, customer: CustomerRef) -> list[dict]: ...

    def redact(self, *, shop: Shop, customer: CustomerRef) -> int: ...


_providers: list[PersonalDataProvider] = []


def register_personal_data_provider(provider: PersonalDataProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def personal_data_providers() -> list[PersonalDataProvider]:
    return list(_providers)


def shop_foreign_keys() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every (model, foreign key to Shop) in the project: the shop-scoped tables."""
    return [
        (model, fk)
        for model in apps.get_models()
        for fk in model._meta.concrete_fields
        if isinstance(fk, models.ForeignKey) and fk.related_model is Shop
    ]


def shop_redact(*, shop_domain: str) -> dict[str, int]:
    """Erase everything OrderGuard holds about the shop, the Shop row last. Safe to call twice."""
    erased: dict[str, int] = {}
    with transaction.atomic():
        shop = Shop.objects.filter(domain=shop_domain).first()
        if shop is not None:
            for model, fk in shop_foreign_keys():
                count, _ = model._base_manager.filter(**{fk.name: shop}).delete()
                if count:
                    erased[model._meta.label] = erased.get(model._meta.label, 0) + count
        count, _ = WebhookDelivery.objects.filter(shop_domain=shop_domain).delete()
        if count:
            erased[WebhookDelivery._meta.label] = erased.get(WebhookDelivery._meta.label, 0) + count
        if shop is not None:
            shop.delete()
            erased[Shop._meta.label] = 1
    logger.info("shop/redact erased %s for %s", erased or "nothing", shop_domain)
    return erased


def customer_redact(*, shop_domain: str, customer: CustomerRef) -> int:
    shop = Shop.objects.filter(domain=shop_domain).first()
    if shop is None:
        return 0
    erased = 0
    with transaction.atomic():
        for provider in personal_data_providers():
            erased += provider.redact(shop=shop, customer=customer)
    logger.info("customers/redact erased %d records on %s", erased, shop_domain)
    return erased


def customer_data_export(*, shop_domain: str, customer: CustomerRef, data_request_id: str) -> DataRequestExport | None:
    """Collect what every provider holds about the customer into one export the merchant can hand over."""
    shop = Shop.objects.filter(domain=shop_domain).first()
    if shop is None:
        return None
    sections = {provider.label: provider.export(shop=shop, customer=customer) for provider in personal_data_providers()}
    export, _ = DataRequestExport.objects.update_or_create(
        shop=shop,
        data_request_id=data_request_id,
        defaults={
            "shopify_customer_id": customer.shopify_customer_id,
            "customer_email": customer.email,
            "export": {"customer": {"id": customer.shopify_customer_id, "email": customer.email}, "data": sections},
        },
    )
    return export


class DataRequestExportProvider:
    """Earlier exports about a customer are themselves personal data: erased on customers/redact."""

    label = "data_request_exports"

    def export(self, *, shop: Shop, customer: CustomerRef) -> list[dict]:
        return []

    def redact(self, *, shop: Shop, customer: CustomerRef) -> int:
        matches = DataRequestExport.objects.filter(shop=shop)
        query = models.Q()
        if customer.shopify_customer_id:
            query |= models.Q(shopify_customer_id=customer.shopify_customer_id)
        if customer.email:
            query |= models.Q(customer_email=customer.email)
        if not query:
            return 0
        count, _ = matches.filter(query).delete()
        return count


register_personal_data_provider(DataRequestExportProvider())
