"""Run a shop's health checks now and print each code and result (JSON: docs/health-checks-json.md)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from orderguard.health.selectors import health_results_json
from orderguard.health.services import health_checks_run
from orderguard.shops.models import Shop


class Command(BaseCommand):
    help = "Run a shop's health checks and print each check's code and result."

    def add_arguments(self, parser):
        parser.add_argument("shop_domain")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Machine-readable output (docs/health-checks-json.md).")
        parser.add_argument("--cheap", action="store_true", help="Only the cheap checks (those run after every poll).")

    def handle(self, *args, shop_domain, as_json: bool, cheap: bool, **options):
        shop = Shop.objects.filter(domain=shop_domain.strip().lower()).first()
        if shop is None:
            raise CommandError(f"No shop {shop_domain!r}.")
        health_checks_run(shop=shop, cheap_only=cheap)
        with translation.override("en"):
            document = health_results_json(shop=shop)
        if as_json:
            self.stdout.write(json.dumps(document, indent=2, sort_keys=True))
            return
        width = max(len(check["code"]) for check in document["checks"])
        for check in document["checks"]:
            self.stdout.write(f"{check['code']:<{width}}  {check['result']:<8}  {check['explanation']}")
