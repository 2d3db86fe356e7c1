"""List the orders that need action, as a table or as JSON (format: docs/stuck-orders-json.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orderguard.orders.exports import stuck_orders_json, stuck_orders_table
from orderguard.orders.selectors import poll_health, stuck_orders
from orderguard.shops.selectors import shop_by_domain_or_handle


class Command(BaseCommand):
    help = "List a shop's social orders that need action."

    def add_arguments(self, parser):
        parser.add_argument("shop_domain", metavar="shop", help="The shop: its handle (maple-and-moss) or its myshopify.com domain.")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Machine-readable output (docs/stuck-orders-json.md).")

    def handle(self, *args, shop_domain, as_json: bool, **options):
        shop = shop_by_domain_or_handle(value=shop_domain)
        if shop is None:
            raise CommandError(f"No shop {shop_domain!r}.")
        now = timezone.now()
        orders = list(stuck_orders(shop=shop))
        health = poll_health(shop=shop, now=now)
        if as_json:
            self.stdout.write(
                stuck_orders_json(shop_domain=shop.domain, orders=orders, last_success_at=health.last_success_at, stale=health.stale, now=now)
            )
            return
        if health.stale:
            self.stdout.write(self.style.ERROR("Warning: no successful poll for more than three intervals; this list may be out of date."))
        if not orders:
            checked = health.last_success_at.strftime("%Y-%m-%d %H:%M UTC") if health.last_success_at else "never"
            self.stdout.write(self.style.SUCCESS(f"No order of {shop.domain} needs action (last check: {checked})."))
            return
        for line in stuck_orders_table(orders, now=now):
            self.stdout.write(line)

