"""The checks, by platform; importing this package registers them (the panel shows them in this order)."""

from orderguard.health.checks import meta, shopify, app  # noqa: F401  (registration order)
