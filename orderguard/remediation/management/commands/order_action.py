"""Run a remedy on one order from the command line (operators, agencies), through the same services as
the app: `order_action <shop-domain-or-handle> <meta-order-id> <remedy> [options]`.

Each remedy is a subcommand with its own parser and handler (`_apology`, `_cancel_and_link` below); `--json` prints one
object in the stable format of docs/order-action-json.md. With `--send` the action is created as the
app creates it and run here, synchronously, to its final state (a worker that picks it up later finds
it finished and does nothing).
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orderguard.orders.models import SocialOrder
from orderguard.remediation.apology import SUPPORTED_LANGUAGES
from orderguard.remediation.apology_send import ApologyRefused, apology_email_request
from orderguard.remediation.cli import add_cancel_and_link_arguments, cancel_and_link_command
from orderguard.remediation.models import FINAL_STEPS, RemediationAction
from orderguard.remediation.selectors import apology_compose
from orderguard.remediation.services import remediation_action_run
from orderguard.shops.models import Shop
from orderguard.shops.selectors import shop_by_domain_or_handle

FORMAT_VERSION = 1
ACTOR = "operator"


class Command(BaseCommand):
    help = "Run a remedy (an apology email, or cancel and send a store link) on one Facebook/Instagram order of a shop."

    def add_arguments(self, parser):
        parser.add_argument("shop", help="The shop's myshopify domain, or its handle (the part before .myshopify.com).")
        parser.add_argument("meta_order_id", help="Meta's order id.")
        remedies = parser.add_subparsers(dest="remedy", required=True, metavar="remedy")

        apology = remedies.add_parser("apology", help="Draft the apology email (and send it with --send).")
        apology.add_argument("--language", choices=SUPPORTED_LANGUAGES, default="", help="Default: guessed from the shipping country.")
        apology.add_argument("--send", action="store_true", help="Send it to the buyer now and print the action's final state.")
        apology.add_argument("--json", dest="as_json", action="store_true", help="Machine-readable output (docs/order-action-json.md).")

        add_cancel_and_link_arguments(remedies.add_parser("cancel-and-link", help="Cancel on Meta and send the buyer a store link."))

    def handle(self, *args, shop: str, meta_order_id: str, remedy: str, **options):
        shop_row = _shop(shop)
        order = SocialOrder.objects.filter(shop=shop_row, meta_order_id=meta_order_id.strip()).first()
        if order is None:
            raise CommandError(f"No Meta order {meta_order_id!r} in {shop_row.domain}.")
        handlers = {"apology": self._apology, "cancel-and-link": self._cancel_and_link}
        handlers[remedy](shop=shop_row, order=order, **options)

    # cancel-and-link (orderguard/remediation/cli.py)
    # --------------------------------------------------------------------------------------------------

    def _cancel_and_link(self, *, shop: Shop, order: SocialOrder, **options) -> None:
        cancel_and_link_command(
            shop_domain=shop.domain, meta_order_id=order.meta_order_id, reason=options["reason"], description=options["description"],
            restock=options["restock"], discount=options["discount"], message=options["message"], manual_done=options["manual_done"],
            as_json=options["as_json"], stdout=self.stdout, link=options["link"], send_by=options["send_by"],
            replace=options["replace"], drop=options["drop"],
        )

    # apology
    # --------------------------------------------------------------------------------------------------

    def _apology(self, *, shop: Shop, order: SocialOrder, language: str, send: bool, as_json: bool, **_options) -> None:
        composition = apology_compose(shop=shop, order=order, language=language)
        draft = composition.draft
        action = None
        if send:
            try:
                action, _created = apology_email_request(
                    shop=shop, order=order, subject=draft.subject, body=draft.body, language=draft.language,
                    actor=ACTOR, idempotency_key=secrets.token_urlsafe(24),
                )
            except ApologyRefused as refusal:
                raise CommandError(str(refusal)) from None
            remediation_action_run(action_id=action.pk)
            action.refresh_from_db()
        if as_json:
            self.stdout.write(json.dumps({
                "format_version": FORMAT_VERSION,
                "shop": shop.domain,
                "meta_order_id": order.meta_order_id,
                "remedy": "apology",
                "generated_at": _iso(timezone.now()),
                "draft": {
                    "language": draft.language,
                    "to": composition.to,
                    "from": composition.from_address,
                    "subject": draft.subject,
                    "body": draft.body,
                    "relay_address": composition.relay,
                    "store_link": composition.store_link or None,
                    "withheld": list(draft.withheld),
                },
                "action": action_json(action) if action else None,
            }, indent=2))
            return
        self.stdout.write(f"To: {composition.to or '(no address)'}\nFrom: {composition.from_address}\nSubject: {draft.subject}\nLanguage: {draft.language}\n")
        if composition.relay:
            self.stdout.write("Note: a Meta relay address, shared for customer service only: no marketing content.")
        self.stdout.write("\n" + draft.body)
        if action:
            style = self.style.SUCCESS if action.step == RemediationAction.Step.DONE else self.style.ERROR
            self.stdout.write(style(f"Action {action.pk}: {action.step}. {action.message}"))


def action_json(action: RemediationAction) -> dict:
    """An action as docs/order-action-json.md describes it (shared by every remedy's subcommand)."""
    return {
        "id": action.pk,
        "kind": action.kind,
        "step": action.step,
        "final": action.step in FINAL_STEPS,
        "message": action.message,
        "error_code": action.error_code or None,
        "idempotency_key": action.idempotency_key,
        "actor": action.actor,
        "created_at": _iso(action.created_at),
        "updated_at": _iso(action.updated_at),
        "result": action.result,
    }


def _shop(value: str) -> Shop:
    shop = shop_by_domain_or_handle(value=value)
    if shop is None:
        raise CommandError(f"No shop {value!r}.")
    return shop


def _iso(value) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None
