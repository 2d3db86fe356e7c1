from django.apps import AppConfig


class MetaConnectionsConfig(AppConfig):
    name = "orderguard.meta_connections"
    label = "meta_connections"
    verbose_name = "Meta connections"
