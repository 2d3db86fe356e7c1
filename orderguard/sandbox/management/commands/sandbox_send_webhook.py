"""Sign a Shopify webhook the way Shopify does and post it to the app.

The payload is Shopify's documented example for the topic (or a JSON file), with the shop filled in.
"""

import json
from pathlib import Path

import httpx
from django.core.management.base import BaseCommand, CommandError

from orderguard.integrations.shopify.auth import normalize_shop_handle_or_domain
from orderguard.sandbox.shopify import webhooks


class Command(BaseCommand):
    help = "Send a signed Shopify webhook (documented example payload) to the app."

    def add_arguments(self, parser):
        parser.add_argument("topic", choices=webhooks.example_topics())
        parser.add_argument("--shop", required=True, help="The shop: its handle (maple-and-moss) or its myshopify.com domain.")
        parser.add_argument("--payload", type=Path, help="A JSON file to send instead of Shopify's example.")
        parser.add_argument("--app-url", help="Where the app runs (default: APP_URL).")
        parser.add_argument("--times", type=int, default=1, help="Deliver the same event this many times.")

    def handle(self, *args, topic, shop, payload, app_url, times, **options):
        shop_domain = normalize_shop_handle_or_domain(shop)
        if shop_domain is None:
            raise CommandError(f"{shop!r} is neither a shop handle nor a myshopify.com domain")
        body = json.loads(payload.read_text()) if payload else webhooks.example_payload(topic)
        signed = webhooks.sign(topic=topic, shop_domain=shop_domain, payload=webhooks.for_shop(body, shop_domain))
        for _ in range(times):
            try:
                response = webhooks.deliver(signed, app_url=app_url)
            except httpx.HTTPError as error:
                raise CommandError(f"Could not reach the app: {error}") from None
            self.stdout.write(f"{topic} -> {response.status_code} {response.text[:80]}")
