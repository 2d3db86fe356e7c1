from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "orderguard.shops"
    label = "shops"
    verbose_name = "Shops"
