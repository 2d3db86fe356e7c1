"""Remedies from the command line: `order_action <shop-domain> <meta-order-id> cancel-and-link [...]`.

Temporary in this branch: it has only the cancel-and-link subcommand (orderguard/remediation/cli.py); the
apology subcommand joins it when the branches merge.
"""

from django.core.management.base import BaseCommand

from orderguard.remediation.cli import add_cancel_and_link_arguments, cancel_and_link_command


class Command(BaseCommand):
    help = "Carry out a remedy on one social order and print the action's final state."

    def add_arguments(self, parser):
        parser.add_argument("shop_domain")
        parser.add_argument("meta_order_id")
        actions = parser.add_subparsers(dest="remedy", required=True)
        add_cancel_and_link_arguments(actions.add_parser("cancel-and-link", help="Cancel on Meta and send a store link."))

    def handle(self, *args, shop_domain, meta_order_id, remedy, **options):
        cancel_and_link_command(
            shop_domain=shop_domain, meta_order_id=meta_order_id, reason=options["reason"], description=options["description"],
            restock=options["restock"], discount=options["discount"], message=options["message"], manual_done=options["manual_done"],
            as_json=options["as_json"], stdout=self.stdout,
        )
