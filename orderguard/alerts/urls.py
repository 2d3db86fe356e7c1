from django.urls import path

from orderguard.alerts import views

app_name = "alerts"

urlpatterns = [
    path("destinations/", views.destinations, name="destinations"),
    path("destinations/add", views.destination_add, name="destination-add"),
    path("destinations/<int:destination_id>/test", views.destination_test, name="destination-test"),
    path("destinations/<int:destination_id>/policy", views.destination_policy, name="destination-policy"),
    path("destinations/<int:destination_id>/remove", views.destination_remove, name="destination-remove"),
]
