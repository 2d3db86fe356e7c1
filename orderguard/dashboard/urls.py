from django.urls import path

from orderguard.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("shop/sync", views.shop_sync, name="shop-sync"),
    path("privacy/exports/<int:export_id>.json", views.data_request_export, name="data-request-export"),
]
