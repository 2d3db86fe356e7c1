"""The sandbox admin's Facebook & Instagram channel page (the channel app's launchUrl): the merchant's
side of the guided reconnect. "Reconnect the channel" heals the shop's linked commerce accounts: the
channel is installed again, both sales channels are on, Shopify manages the orders again and the channel
acknowledges and imports the orders waiting in CREATED (behaviour "healthy")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from orderguard.sandbox.admin_views import _shop
from orderguard.sandbox.health_models import MetaSalesChannels
from orderguard.sandbox.meta import services as meta_services
from orderguard.sandbox.meta.models import MetaCommerceAccount
from orderguard.sandbox.meta.shopify_channel import APP_ID
from orderguard.sandbox.models import SandboxShop

SHOPIFY_APP = {"id": APP_ID, "name": "Shopify"}


def channel_reconnect(shop: SandboxShop) -> list[MetaCommerceAccount]:
    SandboxShop.objects.filter(pk=shop.pk).update(facebook_channel_installed=True)
    accounts = list(MetaCommerceAccount.objects.filter(shopify_shop=shop))
    for account in accounts:
        MetaSalesChannels.objects.filter(account=account).update(facebook="ENABLED", instagram="ENABLED")
        if not any(app.get("id") == APP_ID for app in account.order_management_apps):
            MetaCommerceAccount.objects.filter(pk=account.pk).update(order_management_apps=[*account.order_management_apps, SHOPIFY_APP])
        meta_services.set_channel_behaviour(account.id, MetaCommerceAccount.Behaviour.HEALTHY)
    return accounts


@require_http_methods(["GET", "POST"])
def channel_page(request: HttpRequest, handle: str) -> HttpResponse:
    shop = _shop(handle)
    if request.method == "POST":
        channel_reconnect(shop)
        return redirect("sandbox:admin-channel", handle=handle)
    accounts = MetaCommerceAccount.objects.filter(shopify_shop=shop)
    return render(request, "sandbox/admin_channel.html", {"shop": shop, "accounts": accounts})
