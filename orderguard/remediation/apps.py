from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "orderguard.remediation"
    label = "remediation"
    verbose_name = "Remedies"

    def ready(self) -> None:
        from orderguard.remediation import executors  # noqa: F401  (registers the executor of each kind)
