from django.urls import path

from orderguard.health import views

app_name = "health"

urlpatterns = [
    path("", views.health_page, name="panel"),
    path("check-now", views.health_check_now, name="check-now"),
    path("dossier.zip", views.dossier_download, name="dossier"),
    path("checkout/", views.checkout_review_page, name="checkout"),
    path("answers/", views.answers_page, name="answers"),
    path("reconnect/", views.reconnect_page, name="reconnect"),
    path("reconnect/start", views.reconnect_start, name="reconnect-start"),
    path("reconnect/<int:session_id>/steps/<step>", views.reconnect_step, name="reconnect-step"),
]
