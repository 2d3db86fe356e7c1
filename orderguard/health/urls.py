from django.urls import path

from orderguard.health import views

app_name = "health"

urlpatterns = [
    path("", views.health_page, name="panel"),
    path("check-now", views.health_check_now, name="check-now"),
]
