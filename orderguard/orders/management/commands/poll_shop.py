"""Poll one shop now, synchronously, and say what was found."""

from django.core.management.base import BaseCommand, CommandError

from orderguard.orders.polling import PollOutcome, poll_shop
from orderguard.orders.reasons import reason_text, status_label
from orderguard.orders.selectors import stuck_orders
from orderguard.shops.selectors import shop_by_domain_or_handle


class Command(BaseCommand):
    help = "Poll a shop's Meta orders now and print what was found."

    def add_arguments(self, parser):
        parser.add_argument("shop_domain", metavar="shop", help="The shop: its handle (maple-and-moss) or its myshopify.com domain.")
        parser.add_argument("--full", action="store_true", help="Re-read the whole 30-day window, not only changes.")

    def handle(self, *args, shop_domain, full, **options):
        shop = shop_by_domain_or_handle(value=shop_domain)
        if shop is None:
            raise CommandError(f"No shop {shop_domain!r}.")
        report = poll_shop(shop=shop, full=True if full else None)
        if report.outcome != PollOutcome.OK:
            raise CommandError(f"Poll {report.outcome}: {report.message}")
        self.stdout.write(
            f"Polled {shop.domain} ({'full sweep' if report.full_sweep else 'changes only'}) in {report.duration_ms} ms: "
            f"{report.orders_received} orders from Meta, {report.meta_calls} Meta calls, {report.shopify_calls} Shopify calls."
        )
        counts = ", ".join(f"{status_label(status)}: {count}" for status, count in sorted(report.statuses.items()))
        self.stdout.write(f"Open and changed orders by status: {counts or 'none'}")
        orders = list(stuck_orders(shop=shop))
        self.stdout.write(self.style.WARNING(f"{len(orders)} orders need action.") if orders else self.style.SUCCESS("No order needs action."))
        for order in orders:
            self.stdout.write(f"  {order.meta_order_id}  {status_label(order.status)}: {reason_text(order.reason)}")
