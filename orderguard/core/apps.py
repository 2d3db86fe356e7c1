from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "orderguard.core"
    label = "core"
    verbose_name = "OrderGuard core"

    def ready(self) -> None:
        from orderguard.core import checks  # noqa: F401  (registers system checks)
