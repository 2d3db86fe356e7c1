"""The commerce account's Shops and their sales channels, for the health checks.

    GET /{cms-id}/shops   fields: id, fb_sales_channel{status}, ig_sales_channel{status}, shop_status

One Shop per account; its id is the account id plus one (ids are opaque strings to callers). Channel
status comes from MetaSalesChannels (both ENABLED without a row).
"""

from __future__ import annotations

from orderguard.sandbox.health_models import MetaSalesChannels
from orderguard.sandbox.meta import graph
from orderguard.sandbox.meta.call import Call
from orderguard.sandbox.meta.graph import Node
from orderguard.sandbox.meta.models import MetaCommerceAccount

_CHANNEL = Node("SalesChannel", {"status": None})
SHOP = Node(
    "Shop",
    {"id": None, "fb_sales_channel": _CHANNEL, "ig_sales_channel": _CHANNEL, "shop_status": None, "commerce_merchant_settings": Node("CMS", {"id": None})},
    defaults=("id",),
)


def shop_row(account: MetaCommerceAccount) -> dict:
    channels = MetaSalesChannels.objects.filter(account=account).first()
    facebook = channels.facebook if channels else MetaSalesChannels.Status.ENABLED
    instagram = channels.instagram if channels else MetaSalesChannels.Status.ENABLED
    enabled = MetaSalesChannels.Status.ENABLED in (facebook, instagram)
    onsite = account.checkout == MetaCommerceAccount.Checkout.ONSITE
    return {
        "id": str(int(account.id) + 1),
        "fb_sales_channel": {"status": facebook},
        "ig_sales_channel": {"status": instagram},
        "shop_status": "active" if enabled and onsite else ("inactive_offsite" if enabled else "inactive_other"),
        "commerce_merchant_settings": {"id": account.id},
    }


def shops(call: Call, account: MetaCommerceAccount) -> dict:
    return graph.list_edge_body([shop_row(account)], SHOP, params=call.params, selection=call.fields(), page_link=call.page_link)
