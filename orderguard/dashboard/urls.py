from django.urls import path

from orderguard.dashboard import check_views, meta_views, remedy_apology_views, settings_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("orders/summary", views.orders_summary, name="orders-summary"),
    path("orders/freshness", views.orders_freshness, name="orders-freshness"),
    path("orders/export", views.orders_export, name="orders-export"),
    path("orders/check", check_views.check_now, name="check-now"),
    path("orders/check/status", check_views.check_status, name="check-status"),
    path("orders/<int:order_id>/", views.order_detail, name="order-detail"),
    path("orders/<int:order_id>/apology", remedy_apology_views.apology_draft, name="apology-draft"),
    path("orders/<int:order_id>/apology/send", remedy_apology_views.apology_send_view, name="apology-send"),
    path("orders/<int:order_id>/apologies", remedy_apology_views.apology_history, name="apology-history"),
    path("orders/apology", remedy_apology_views.apology_bulk, name="apology-bulk"),
    path("orders/apology/send", remedy_apology_views.apology_bulk_send, name="apology-bulk-send"),
    path("remedies/apology/<int:action_id>", remedy_apology_views.apology_status, name="apology-status"),
    path("settings/", settings_views.shop_settings, name="settings"),
    path("settings/preferences", settings_views.preferences_update, name="preferences-update"),
    path("shop/sync", views.shop_sync, name="shop-sync"),
    path("privacy/exports/<int:export_id>.json", views.data_request_export, name="data-request-export"),
    path("meta/", meta_views.meta_connection, name="meta"),
    path("meta/token", meta_views.meta_connect_token, name="meta-connect-token"),
    path("meta/disconnect", meta_views.meta_disconnect, name="meta-disconnect"),
]
