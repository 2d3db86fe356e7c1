"""`order_action <shop> <meta order id> cancel-and-link`: the operator's way to the same services as the
app's button. Runs the action synchronously (remediation_action_run) and prints its state, as text or as
JSON (docs/order-action-json.md). The `order_action` command wires `add_cancel_and_link_arguments` and
`cancel_and_link_command` in as its `cancel-and-link` subcommand."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import TextIO

from django.core.management.base import CommandError

from orderguard.orders.models import SocialOrder
from orderguard.remediation.cancel_rules import CancelReason
from orderguard.remediation.cancel_start import (
    DEFAULT_DESCRIPTION,
    DEFAULT_REASON,
    DEFAULT_MESSAGE,
    link_choice,
    CancelOptions,
    CancelRefused,
    cancel_and_link_manual_done,
    cancel_and_link_start,
    cancel_preview,
    parse_discount,
)
from orderguard.remediation.replacements import ItemChoices, replacements_from_pairs
from orderguard.remediation.models import FINAL_STEPS, RemediationAction
from orderguard.remediation.progress import cancel_action_latest
from orderguard.remediation.services import remediation_action_run
from orderguard.shops.models import Shop

JSON_VERSION = 1
OPERATOR = "operator"
RESULT_FIELDS = (
    "meta_cancelled_at", "draft_order_id", "draft_order_name", "invoice_url", "invoice_sent_at", "manual_reason",
    "commerce_manager_url", "manual_cancel_confirmed_by", "manual_cancel_confirmed_at", "mapping",
    "link_kind", "store_link_url", "discount_code", "link_email_sent_at",
)
LINK_CHOICES = {"draft": "draft_order", "cart": "cart"}
SEND_CHOICES = {"shopify-invoice": "shopify_invoice", "app-email": "app_email"}
Step = RemediationAction.Step


def add_cancel_and_link_arguments(parser) -> None:
    parser.add_argument("--reason", default=DEFAULT_REASON.value, choices=[reason.value for reason in CancelReason],
                        help=f"Meta's reason code (default {DEFAULT_REASON.value}).")
    parser.add_argument("--description", default="", help="What the buyer may see on Meta (default: OrderGuard's text).")
    parser.add_argument("--restock", action="store_true", help="Restock the items on Meta.")
    parser.add_argument("--discount", default="", help="Apology discount on the draft order: 10%% or 5.00.")
    parser.add_argument("--message", default="", help="The message in Shopify's invoice email (default: OrderGuard's text).")
    parser.add_argument("--link", choices=sorted(LINK_CHOICES), default="", help="The store link: a draft order or a cart permalink with a single-use discount code (default: the shop's setting).")
    parser.add_argument("--send-by", choices=sorted(SEND_CHOICES), default="", help="Who emails the link: Shopify's invoice (draft only) or OrderGuard's own email (default: the shop's setting; a cart link always app-email).")
    parser.add_argument("--replace", action="append", default=[], metavar="ITEM_ID=VARIANT_ID",
                        help="Put this variant (its number or gid://shopify/ProductVariant/...) in the link for a Meta item that matches no product; repeatable.")
    parser.add_argument("--drop", action="append", default=[], metavar="ITEM_ID", help="Leave out a Meta item that matches no product; repeatable.")
    parser.add_argument("--manual-done", action="store_true", help="The order was cancelled in Commerce Manager: carry on with the link.")
    parser.add_argument("--json", dest="as_json", action="store_true", help="Machine-readable output (docs/order-action-json.md).")


def cancel_and_link_command(
    *, shop_domain: str, meta_order_id: str, reason: str, description: str, restock: bool, discount: str, message: str,
    manual_done: bool, as_json: bool, stdout: TextIO, link: str = "", send_by: str = "",
    replace: Sequence[str] = (), drop: Sequence[str] = (),
) -> RemediationAction:
    """Start (or, with manual_done, continue) the action, run it now, print it. CommandError when it did
    not start or ended STOPPED/FAILED (after printing it). Items that match no product must each be
    replaced (`replace`: "ITEM_ID=VARIANT_ID") or dropped, as in the app: nothing is left out silently."""
    shop = Shop.objects.filter(domain=shop_domain.strip().lower()).first()
    if shop is None:
        raise CommandError(f"No shop {shop_domain!r}.")
    order = SocialOrder.objects.filter(shop=shop, meta_order_id=meta_order_id.strip()).first()
    if order is None:
        raise CommandError(f"No Meta order {meta_order_id!r} in {shop.domain}.")
    if manual_done:
        action = cancel_action_latest(shop=shop, order_id=order.pk)
        if action is None or not cancel_and_link_manual_done(action=action, actor=OPERATOR):
            raise CommandError("No cancel-and-link action of this order is waiting for a manual cancel.")
    else:
        try:
            options = CancelOptions(
                reason_code=reason, reason_description=description or str(DEFAULT_DESCRIPTION), restock=restock,
                discount=parse_discount(discount), message=message or str(DEFAULT_MESSAGE),
                **link_choice(shop=shop, link=LINK_CHOICES.get(link, ""), send_by=SEND_CHOICES.get(send_by, "")),
                dropped_items=tuple(item.strip() for item in drop if item.strip()),
                replacements=replacements_from_pairs(tuple(value.partition("=")[::2]) for value in replace),
            )
            _items_decided(shop=shop, order=order, options=options)
            action = cancel_and_link_start(shop=shop, order=order, idempotency_key=f"cli-{secrets.token_urlsafe(24)}", actor=OPERATOR, options=options)
        except ValueError as error:
            raise CommandError(str(error)) from None
        except CancelRefused as error:
            raise CommandError(f"Not started: {error}") from None
    remediation_action_run(action_id=action.pk)
    action.refresh_from_db()
    stdout.write(json.dumps(action_json(action), indent=2) + "\n" if as_json else action_text(action))
    if action.step in (Step.STOPPED, Step.FAILED):
        raise CommandError(f"{action.step}: {action.error_code}")
    return action


def _items_decided(*, shop: Shop, order: SocialOrder, options: CancelOptions) -> None:
    """CommandError unless every item that matches no product is replaced or dropped, and each
    replacement names an unmapped item and a variant the store has (read from Shopify now)."""
    preview = cancel_preview(shop=shop, order=order, choices=ItemChoices(dropped=options.dropped_items, replacements=options.replacements))
    errors = preview.item_errors
    if not preview.allowed or not errors:
        return  # a refusal is cancel_and_link_start's to raise
    checked = preview.checked
    if checked is not None and checked.undecided:
        names = "; ".join(f"{item.meta_item_id} ({item.product_name or item.retailer_id or '?'}, retailer id {item.retailer_id or '-'})" for item in checked.undecided)
        raise CommandError(f"Not started: these items match no product in your store; give each --replace ITEM_ID=VARIANT_ID or --drop ITEM_ID: {names}")
    raise CommandError("Not started: " + " ".join(errors.values()))


def action_json(action: RemediationAction) -> dict:
    """The stable JSON of an action (docs/order-action-json.md)."""
    return {
        "format_version": JSON_VERSION,
        "shop": action.shop.domain,
        "meta_order_id": action.order.meta_order_id,
        "action": {
            "id": action.pk,
            "kind": action.kind,
            "step": action.step,
            "final": action.step in FINAL_STEPS,
            "waiting_for_merchant": action.step == Step.AWAITING_MANUAL_CANCEL,
            "retry_at": action.available_at.isoformat() if action.step not in FINAL_STEPS and action.status == action.Status.PENDING else None,
            "message": action.message,
            "error_code": action.error_code or None,
            "idempotency_key": action.idempotency_key,
            "actor": action.actor,
            "created_at": action.created_at.isoformat(),
            "updated_at": action.updated_at.isoformat(),
            "params": {key: action.params.get(key) for key in ("reason_code", "reason_description", "restock", "discount", "message", "link", "send_by", "dropped_items", "replacements")},
            "result": {key: action.result.get(key) for key in RESULT_FIELDS},
        },
    }


def action_text(action: RemediationAction) -> str:
    lines = [f"Meta order {action.order.meta_order_id}: {action.step}", f"  {action.message}"]
    if action.result.get("store_link_url"):
        lines.append(f"  Store link (cart): {action.result['store_link_url']}")
    if action.result.get("invoice_url"):
        lines.append(f"  Store link ({action.result.get('draft_order_name', '')}): {action.result['invoice_url']}")
    if action.step == Step.AWAITING_MANUAL_CANCEL:
        lines.append(f"  Cancel it in Commerce Manager: {action.result.get('commerce_manager_url', '')}")
        lines.append("  then run this command again with --manual-done.")
    return "\n".join(lines) + "\n"
