from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: the app installed and connected on the sandbox platforms (manage.py rundemo). The only
    code that knows both sides; installed with the sandbox, never in production."""

    name = "orderguard.demo"
    label = "demo"
    verbose_name = "Demo"
