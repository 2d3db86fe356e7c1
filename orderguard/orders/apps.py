from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orderguard.orders"
    label = "orders"
    verbose_name = "Social orders"

    def ready(self) -> None:
        from orderguard.meta_connections.signals import commerce_account_changed
        from orderguard.orders import compliance, webhooks  # noqa: F401  (register handlers and providers)
        from orderguard.orders.account_change import on_commerce_account_changed

        commerce_account_changed.connect(on_commerce_account_changed, dispatch_uid="orders-forget-account")
