"""Create the demo shop in the sandbox Shopify (idempotent)."""

from django.core.management.base import BaseCommand

from orderguard.sandbox.seed import seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the sandbox's demo shop."

    def handle(self, *args, **options):
        shop = seed_demo()
        self.stdout.write(f"Sandbox shop ready: {shop.name} ({shop.domain})")
