"""List the orders that need action, as a table or as JSON (format: docs/stuck-orders-json.md)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orderguard.orders.reasons import humanize_duration, reason_text, status_label
from orderguard.orders.selectors import poll_health, stuck_orders
from orderguard.shops.models import Shop

FORMAT_VERSION = 1


class Command(BaseCommand):
    help = "List a shop's social orders that need action."

    def add_arguments(self, parser):
        parser.add_argument("shop_domain")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Machine-readable output (docs/stuck-orders-json.md).")

    def handle(self, *args, shop_domain, as_json: bool, **options):
        shop = Shop.objects.filter(domain=shop_domain.strip().lower()).first()
        if shop is None:
            raise CommandError(f"No shop {shop_domain!r}.")
        now = timezone.now()
        orders = list(stuck_orders(shop=shop))
        health = poll_health(shop=shop, now=now)
        if as_json:
            self.stdout.write(_as_json(shop=shop, orders=orders, health=health, now=now))
            return
        if health.stale:
            self.stdout.write(self.style.ERROR("Warning: no successful poll for more than three intervals; this list may be out of date."))
        if not orders:
            checked = health.last_success_at.strftime("%Y-%m-%d %H:%M UTC") if health.last_success_at else "never"
            self.stdout.write(self.style.SUCCESS(f"No order of {shop.domain} needs action (last check: {checked})."))
            return
        header = f"{'Meta order':<18} {'Status':<30} {'Age':<10} {'Amount':>12} {'Deadline':<17} Reason"
        self.stdout.write(header)
        for order in orders:
            amount = f"{order.total_amount} {order.currency}" if order.total_amount is not None else "—"
            deadline = order.deadline_at.strftime("%Y-%m-%d %H:%M") if order.deadline_at else "—"
            self.stdout.write(
                f"{order.meta_order_id:<18} {status_label(order.status):<30} {humanize_duration(now - order.meta_created_at):<10} "
                f"{amount:>12} {deadline:<17} {reason_text(order.reason)}"
            )


def _as_json(*, shop, orders, health, now) -> str:
    return json.dumps(
        {
            "format_version": FORMAT_VERSION,
            "shop": shop.domain,
            "generated_at": _iso(now),
            "last_successful_poll_at": _iso(health.last_success_at),
            "poller_stale": health.stale,
            "orders": [
                {
                    "meta_order_id": order.meta_order_id,
                    "channel": order.channel,
                    "status": order.status,
                    "reason": order.reason,
                    "reason_text": reason_text(order.reason),
                    "meta_state": order.meta_state,
                    "placed_at": _iso(order.meta_created_at),
                    "age_seconds": int((now - order.meta_created_at).total_seconds()),
                    "amount": str(order.total_amount) if order.total_amount is not None else None,
                    "currency": order.currency or None,
                    "deadline_at": _iso(order.deadline_at),
                    "stuck_since": _iso(order.stuck_since),
                    "shopify_order": order.shopify_order_name or None,
                }
                for order in orders
            ],
        },
        indent=2,
    )


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None
