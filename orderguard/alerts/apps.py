from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "orderguard.alerts"
    label = "alerts"
    verbose_name = "Alerts"
