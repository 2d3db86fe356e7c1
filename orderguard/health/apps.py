from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "orderguard.health"
    label = "health"
    verbose_name = "Health checks"

    def ready(self) -> None:
        # The checks register themselves with the registry when their modules are imported.
        from orderguard.health import checks  # noqa: F401
