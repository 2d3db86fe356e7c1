from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Local stand-ins for Shopify and Meta, for the demo and the tests. Installed only when
    SANDBOX_ENABLED, which production settings refuse."""

    name = "orderguard.sandbox"
    label = "sandbox"
    verbose_name = "Sandbox platforms"
