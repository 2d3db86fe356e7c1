"""Connect a shop to its Meta commerce account without a browser (operators, agencies)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orderguard.meta_connections.models import MetaConnection
from orderguard.meta_connections.services import MetaConnectionRejected, MetaUnavailable, meta_connection_connect
from orderguard.shops.selectors import shop_by_domain_or_handle


class Command(BaseCommand):
    help = "Connect a shop to a Meta commerce account with a system-user token read from a file."

    def add_arguments(self, parser):
        parser.add_argument("shop_domain", metavar="shop", help="The shop: its handle (maple-and-moss) or its myshopify.com domain.")
        parser.add_argument("--cms-id", required=True, help="The commerce account id (Commerce Manager's address).")
        parser.add_argument("--token-file", required=True, type=Path, help="A file holding the access token (not the command line, which shells log).")

    def handle(self, *args, shop_domain, cms_id, token_file, **options):
        shop = shop_by_domain_or_handle(value=shop_domain)
        if shop is None:
            raise CommandError(f"No shop {shop_domain!r}: it must have opened OrderGuard once (that installs it).")
        try:
            token = token_file.read_text().strip()
        except OSError as error:
            raise CommandError(f"Cannot read {token_file}: {error.strerror}") from None
        try:
            connection = meta_connection_connect(
                shop=shop, commerce_account_id=cms_id, access_token=token, source=MetaConnection.Source.OPERATOR
            )
        except MetaConnectionRejected as error:
            raise CommandError(error.message) from None
        except MetaUnavailable as error:
            raise CommandError(f"Meta could not be reached or refused the request: {error.detail}") from None
        apps = ", ".join(app["name"] or app["id"] for app in connection.order_management_apps or []) or "none"
        self.stdout.write(self.style.SUCCESS(
            f"Connected {shop.domain} to commerce account {connection.commerce_account_id}"
            f" ({connection.commerce_account_name or 'unnamed'}). Order management apps: {apps}."
        ))
        self.stdout.write("The first poll runs within a minute; `python manage.py poll_shop " f"{shop.domain}` polls now.")
