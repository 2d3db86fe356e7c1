from django.urls import path

from orderguard.dashboard import check_views, meta_views, remedy_apology_views, remedy_cancel_views, settings_views, views

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
    path("orders/<int:order_id>/cancel/panel", remedy_cancel_views.cancel_panel, name="cancel-panel"),
    path("orders/<int:order_id>/cancel/form", remedy_cancel_views.cancel_form, name="cancel-form"),
    path("orders/<int:order_id>/cancel/review", remedy_cancel_views.cancel_review, name="cancel-review"),
    path("orders/<int:order_id>/cancel", remedy_cancel_views.cancel_start_view, name="cancel-start"),
    path("orders/<int:order_id>/cancel/variants", remedy_cancel_views.cancel_variants, name="cancel-variants"),
    path("orders/<int:order_id>/cancel/progress", remedy_cancel_views.cancel_progress_view, name="cancel-progress"),
    path("orders/<int:order_id>/cancel/row", remedy_cancel_views.cancel_row, name="cancel-row"),
    path("remedies/<int:action_id>/manual-done", remedy_cancel_views.cancel_manual_done, name="cancel-manual-done"),
    path("orders/cancel/discount-scope", remedy_cancel_views.discount_scope_refresh, name="cancel-discount-scope"),
    path("orders/cancel/bulk/form", remedy_cancel_views.cancel_bulk_form, name="cancel-bulk-form"),
    path("orders/cancel/bulk/review", remedy_cancel_views.cancel_bulk_review, name="cancel-bulk-review"),
    path("orders/cancel/bulk", remedy_cancel_views.cancel_bulk_start, name="cancel-bulk-start"),
    path("shop/sync", views.shop_sync, name="shop-sync"),
    path("privacy/exports/<int:export_id>.json", views.data_request_export, name="data-request-export"),
    path("meta/", meta_views.meta_connection, name="meta"),
    path("meta/token", meta_views.meta_connect_token, name="meta-connect-token"),
    path("meta/disconnect", meta_views.meta_disconnect, name="meta-disconnect"),
]
