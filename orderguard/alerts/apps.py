from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "orderguard.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from orderguard.alerts.evaluation import on_check_result_changed
        from orderguard.health.signals import check_result_changed

        check_result_changed.connect(on_check_result_changed, dispatch_uid="alerts-check-failing")
