from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "orderguard.remediation"
    label = "remediation"
    verbose_name = "Remedies"

    def ready(self) -> None:
        from orderguard.remediation import executors, webhooks  # noqa: F401  (registers executors and webhook handlers)
