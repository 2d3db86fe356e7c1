from django.urls import path

from orderguard.sandbox import admin_views, health_admin_views, mail
from orderguard.sandbox.meta import views as meta_views
from orderguard.sandbox.shopify import checkout as shopify_checkout
from orderguard.sandbox.shopify import views as shopify_views

app_name = "sandbox"

urlpatterns = [
    # Shopify: the per-shop origin https://<shop>.myshopify.com maps to shopify/<shop>.myshopify.com.
    path("shopify/<str:shop_domain>/admin/oauth/access_token", shopify_views.access_token, name="shopify-access-token"),
    path("shopify/<str:shop_domain>/admin/api/<str:api_version>/graphql.json", shopify_views.graphql, name="shopify-graphql"),
    path("shopify/<str:shop_domain>/<int:shop_id>/invoices/<str:token>", shopify_checkout.invoice_checkout, name="shopify-invoice"),
    path("shopify/cdn/app-bridge.js", admin_views.app_bridge_js, name="app-bridge-js"),
    # Meta: graph.facebook.com/<version>/<path> maps to meta/graph/<version>/<path> (unversioned calls too),
    # and www.facebook.com/dialog/oauth to meta/dialog/oauth.
    path("meta/graph/<str:version>/<path:path>", meta_views.graph, name="meta-graph"),
    path("meta/graph/<path:path>", meta_views.graph, name="meta-graph-unversioned"),
    path("meta/dialog/oauth", meta_views.oauth_dialog, name="meta-oauth-dialog"),
    # Shopify admin stand-in.
    path("admin/", admin_views.index, name="admin-index"),
    path("mail/", mail.mail_list, name="mail"),
    path("admin/store/<str:handle>/apps/orderguard", admin_views.app_page, name="admin-app"),
    path("admin/store/<str:handle>/apps/orderguard/<path:subpath>", admin_views.app_page, name="admin-app-path"),
    path("admin/store/<str:handle>/id-token", admin_views.id_token, name="admin-id-token"),
    path("admin/store/<str:handle>/scopes-request", admin_views.scopes_request, name="admin-scopes-request"),
    path("admin/store/<str:handle>/uninstall", admin_views.uninstall, name="admin-uninstall"),
    path("admin/store/<str:handle>/apps/facebook", health_admin_views.channel_page, name="admin-channel"),
    path("admin/store/<str:handle>/orders/<int:numeric_id>", admin_views.shopify_order_page, name="admin-order"),
    path("meta/commerce_manager/<str:cms_id>/orders/<str:order_id>", admin_views.commerce_manager_order_page, name="commerce-manager-order"),
]
