"""Commerce account and Page endpoints.

    GET    /{cms-id}                          fields: id, display_name, merchant_page, merchant_status, cta, ...
    GET    /{cms-id}/setup_status             {"data": [{shop_setup, payment_setup, review_status: {status}}]}
    GET    /{cms-id}/order_management_apps    the apps that manage the account's orders (e.g. Shopify's)
    POST   /{cms-id}/order_management_apps    registers the calling app
    DELETE /{cms-id}/order_management_apps    removes the connection (orders then go to Commerce Manager)
    GET    /{page-id}                         fields: id, name, commerce_merchant_settings
    GET    /{page-id}/commerce_merchant_settings
"""

from __future__ import annotations

from orderguard.sandbox.meta import graph
from orderguard.sandbox.meta import representations as rep
from orderguard.sandbox.meta.call import Call
from orderguard.sandbox.meta.models import MetaCommerceAccount

APP_NAME = "OrderGuard"


def get_account(call: Call, account: MetaCommerceAccount) -> dict:
    return graph.select(rep.account(account), call.fields(), rep.ACCOUNT, edge_url=call.edge_link)


def account_edge(name: str):
    """GET /{cms-id}/<name> for the list-valued fields (setup_status, order_management_apps)."""
    node = rep.ACCOUNT.fields[name]

    def handler(call: Call, account: MetaCommerceAccount) -> dict:
        return graph.list_edge_body(rep.account(account)[name], node, params=call.params, selection=call.fields(),
                                    page_link=call.page_link)

    return handler


def register_app(call: Call, account: MetaCommerceAccount) -> dict:
    app_id = call.token.app_id
    if not any(app.get("id") == app_id for app in account.order_management_apps):
        account.order_management_apps = [*account.order_management_apps, {"id": app_id, "name": APP_NAME}]
        account.save(update_fields=["order_management_apps"])
    return {"success": True}


def remove_apps(call: Call, account: MetaCommerceAccount) -> dict:
    account.order_management_apps = []
    account.save(update_fields=["order_management_apps"])
    return {"success": True}


def get_page(call: Call, account: MetaCommerceAccount) -> dict:
    return graph.select(rep.page(account), call.fields(), rep.PAGE, edge_url=call.edge_link)


def page_accounts(call: Call, account: MetaCommerceAccount) -> dict:
    rows = rep.page(account)["commerce_merchant_settings"]
    page = graph.paginate(rows, key=lambda row: row["id"], after=None, before=None, limit=graph.MAX_LIMIT)
    node = rep.PAGE.fields["commerce_merchant_settings"]
    return graph.paged_body([graph.select(row, call.fields(), node) for row in page.rows], page, url=call.page_link)
