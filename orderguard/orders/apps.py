from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orderguard.orders"
    label = "orders"
    verbose_name = "Social orders"

    def ready(self) -> None:
        from orderguard.orders import compliance, webhooks  # noqa: F401  (register handlers and providers)
