from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "orderguard.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
