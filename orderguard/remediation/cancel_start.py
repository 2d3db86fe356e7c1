"""Starting "cancel and send a store link" from the app or the command: what the confirmation shows, the
action row created with its idempotency key in the caller's transaction, and the merchant's "I cancelled it
in Commerce Manager" that lets a waiting action carry on. The work itself is cancel_and_link.py's."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from orderguard.core.exceptions import ApplicationError
from orderguard.integrations.shopify.errors import ShopifyError
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import SocialOrder
from orderguard.remediation.cancel_and_link import (
    MANAGE_ORDERS_SCOPE,
    commerce_manager_order_url,
    meta_items_of,
    missing_shopify_scopes,
)
from orderguard.remediation import cart_link
from orderguard.remediation.cancel_rules import CancelReason, cancel_verdict
from orderguard.remediation.item_mapping import ItemMapping, map_items_with_client
from orderguard.remediation.replacements import CheckedChoices, ItemChoices, choices_check_with_client
from orderguard.remediation.models import FINAL_STEPS, RemediationAction
from orderguard.remediation.services import remediation_action_enqueue, remediation_action_reopen
from orderguard.remediation.steps import action_step_move
from orderguard.shops.clients import shopify_admin_client
from orderguard.shops.exceptions import ShopUnavailable
from orderguard.shops.models import Shop
from orderguard.shops.preferences import shop_preferences

Kind, Step = RemediationAction.Kind, RemediationAction.Step

# What each reason means, in the merchant's words; the description is what the buyer may see.
REASON_LABELS = {
    CancelReason.CUSTOMER_REQUESTED: gettext_lazy("The buyer asked to cancel"),
    CancelReason.OUT_OF_STOCK: gettext_lazy("Out of stock"),
    CancelReason.INVALID_ADDRESS: gettext_lazy("Cannot ship to the address"),
    CancelReason.SUSPICIOUS_ORDER: gettext_lazy("Suspicious order"),
    CancelReason.CANCEL_REASON_OTHER: gettext_lazy("Other reason"),
}
# The order never reached the store, so no specific reason is true by default (Meta may show the buyer
# "out of stock"); the default description says what happened.
DEFAULT_REASON = CancelReason.CANCEL_REASON_OTHER
DEFAULT_DESCRIPTION = gettext_lazy("We could not process your order through Facebook/Instagram. You have not been charged; we sent you a link to order the same items directly from our store.")
DEFAULT_MESSAGE = gettext_lazy("Your order through Facebook/Instagram could not be processed, and we cancelled it: you have not been charged. Use this secure link to order the same items directly from our store.")
MAX_DESCRIPTION, MAX_MESSAGE = 500, 2000
DISCOUNT = re.compile(r"^\s*(\d+(?:[.,]\d{1,2})?)\s*(%?)\s*$")


class CancelRefused(ApplicationError):
    """The action cannot start (a scope to approve, an order no longer cancellable, one already running)."""


@dataclass(frozen=True)
class CancelOptions:
    """What the merchant confirmed."""

    reason_code: str = DEFAULT_REASON
    reason_description: str = ""
    restock: bool = False
    discount: dict | None = None  # {"value": "10", "type": "PERCENTAGE" | "FIXED_AMOUNT"}
    message: str = ""
    dropped_items: tuple[str, ...] = ()
    replacements: tuple[tuple[str, str], ...] = ()  # (meta item id, variant GID): the merchant's picks (replacements.py)
    link: str = "draft_order"  # or "cart": a cart permalink (cart_link.py)
    send_by: str = "shopify_invoice"  # or "app_email": OrderGuard's own email (the only one for a cart link)

    def to_params(self) -> dict:
        return {"send_by": self.send_by,
            "reason_code": self.reason_code, "reason_description": self.reason_description[:MAX_DESCRIPTION], "restock": self.restock,
            "discount": self.discount, "message": self.message[:MAX_MESSAGE], "dropped_items": list(self.dropped_items), "link": self.link,
            "replacements": dict(self.replacements),
            "language": get_language() or "",  # the merchant's: the worker writes the action's messages in it
        }


LINK_KINDS = (cart_link.LINK_DRAFT, cart_link.LINK_CART)
SEND_KINDS = (cart_link.SEND_INVOICE, cart_link.SEND_APP_EMAIL)
link_options_refusal = cart_link.link_options_refusal


def shop_may_make_codes(*, shop: Shop) -> bool:
    return cart_link.has_scope(shop.scopes, cart_link.DISCOUNT_SCOPE)


def link_choice(*, shop: Shop, link: str = "", send_by: str = "") -> dict:
    """The link kind and sending for one action: what the caller chose, else the shop's settings; a cart
    link is always sent by OrderGuard's own email (it has no Shopify invoice)."""
    preferences = shop_preferences(shop=shop)
    link = link or preferences.store_link
    send_by = send_by or (cart_link.SEND_APP_EMAIL if link == cart_link.LINK_CART else preferences.link_sending)
    return {"link": link, "send_by": send_by}


def parse_discount(text: str) -> dict | None:
    """'10%' -> 10 percent off, '5' or '5.00' -> 5.00 off in the order's currency, '' -> none. ValueError otherwise."""
    if not text or not text.strip():
        return None
    found = DISCOUNT.match(text)
    if not found:
        raise ValueError(_("Write the discount as a percentage (10%) or an amount (5.00)."))
    try:
        value = Decimal(found.group(1).replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("Write the discount as a percentage (10%) or an amount (5.00).")) from None
    percentage = found.group(2) == "%"
    if value <= 0 or (percentage and value > 100):
        raise ValueError(_("A discount is more than 0 and at most 100%."))
    return {"value": str(value), "type": "PERCENTAGE" if percentage else "FIXED_AMOUNT"}


@dataclass(frozen=True)
class CancelPreview:
    """What the confirmation shows for one order."""

    order: SocialOrder
    allowed: bool
    refusal: str  # why not, in the merchant's words
    missing_scopes: list[str]
    manual: bool  # Meta access without commerce_account_manage_orders: the merchant cancels in Commerce Manager
    mapping: ItemMapping | None
    mapping_error: str
    commerce_manager_url: str
    reasons: dict = field(default_factory=lambda: REASON_LABELS)
    choices: ItemChoices | None = None  # what the merchant decided for the items, when asked
    checked: CheckedChoices | None = None  # those choices checked against the mapping

    @property
    def unmapped_ids(self) -> list[str]:
        return [item.meta_item_id for item in self.mapping.unmapped] if self.mapping else []

    @property
    def nothing_maps(self) -> bool:
        return self.mapping is not None and not self.mapping.mapped

    @property
    def link_mapping(self) -> ItemMapping | None:
        """The items as the link will have them: the ladder's mapping with the merchant's picks."""
        return self.checked.mapping if self.checked is not None else self.mapping

    @property
    def unmapped_rows(self) -> list[tuple]:
        """For the form: each unmapped item with its pick so far (a variant, or None) and its error."""
        if self.mapping is None:
            return []
        chosen = self.checked.chosen if self.checked is not None else {}
        errors = self.item_errors
        return [(item, chosen.get(item.meta_item_id), errors.get(item.meta_item_id, "")) for item in self.mapping.unmapped]

    @property
    def other_item_errors(self) -> list[str]:
        """The errors the form cannot show beside an unmapped item (a pick for another item, the whole)."""
        unmapped = set(self.unmapped_ids)
        return [message for item_id, message in self.item_errors.items() if item_id not in unmapped]

    @property
    def item_errors(self) -> dict[str, str]:
        """Why the items' choices cannot start (by Meta item id; "" for the whole). Unmapped items must be
        decided explicitly; when Shopify did not answer, picks cannot be checked, so they wait, while an
        order without picks goes on as before (the worker maps it and leaves out what matches nothing)."""
        if self.checked is not None:
            return self.checked.errors
        if self.choices is not None and self.choices.replacements and self.mapping_error:
            return {"": _("Shopify did not answer, so your replacements could not be checked; try again in a moment.")}
        return {}


def cancel_refusal(*, shop: Shop, order: SocialOrder) -> str:
    """Why this order cannot get the action now, from what OrderGuard stored (the worker checks again)."""
    if missing_shopify_scopes(shop.scopes):
        return _("OrderGuard needs your approval to create draft orders and read products first.")
    if order.shopify_order_id:
        return _("This order is in Shopify (%(name)s): handle it there.") % {"name": order.shopify_order_name or order.shopify_order_id}
    # What OrderGuard itself did comes first: it says more than "does not need action".
    if cancel_action_live(shop=shop, order=order):
        return _("A cancel and store link is already under way for this order.")
    if RemediationAction.objects.filter(shop=shop, order=order, kind=Kind.CANCEL_AND_LINK, step=Step.DONE).exists():
        return _("This order was already cancelled and the store link sent.")
    if not order.needs_action:
        return _("This order does not need action.")
    verdict = cancel_verdict(state=order.meta_state, created=order.meta_created_at, now=timezone.now(), cancelled=order.meta_cancelled)
    if not verdict.allowed:
        if verdict.allowed_from:
            return _("Meta allows cancelling this order from %(when)s.") % {"when": timezone.localtime(verdict.allowed_from).strftime("%Y-%m-%d %H:%M")}
        return _("Meta does not allow cancelling this order (%(state)s).") % {"state": order.meta_state}
    if not MetaConnection.objects.filter(shop=shop, status=MetaConnection.Status.CONNECTED).exists():
        return _("Connect Meta first.")
    return ""


def cancel_action_live(*, shop: Shop, order: SocialOrder) -> bool:
    return RemediationAction.objects.filter(shop=shop, order=order, kind=Kind.CANCEL_AND_LINK).exclude(step__in=FINAL_STEPS).exists()


def cancel_preview(
    *, shop: Shop, order: SocialOrder, with_mapping: bool = True, choices: ItemChoices | None = None,
) -> CancelPreview:
    """The confirmation's facts; the item mapping is read from Shopify (a failure is shown, not raised),
    and with `choices` the merchant's decisions for the items are checked against it."""
    refusal = cancel_refusal(shop=shop, order=order)
    connection = MetaConnection.objects.filter(shop=shop).first()
    mapping, checked, mapping_error = None, None, ""
    if with_mapping and not refusal:
        try:
            client = shopify_admin_client(shop=shop)
            found = map_items_with_client(meta_items_of(order), client=client)
            if choices is not None:
                checked = choices_check_with_client(mapping=found, choices=choices, client=client)
            mapping = found
        except (ShopifyError, ShopUnavailable):
            mapping_error = _("Shopify did not answer, so the items could not be matched to your products now; OrderGuard matches them before it cancels.")
    return CancelPreview(
        order=order, allowed=not refusal, refusal=refusal, missing_scopes=missing_shopify_scopes(shop.scopes),
        manual=connection is None or MANAGE_ORDERS_SCOPE not in connection.scopes.split(","), mapping=mapping,
        mapping_error=mapping_error, commerce_manager_url=commerce_manager_order_url(order), choices=choices, checked=checked,
    )


def cancel_and_link_start(*, shop: Shop, order: SocialOrder, idempotency_key: str, actor: str, options: CancelOptions) -> RemediationAction:
    """Create the action (once per key: a double click returns the first one) and hand it to a worker."""
    key = idempotency_key.strip()[:64]
    if len(key) < 16:
        raise CancelRefused(_("The confirmation expired; open it again."), code="bad_key")
    if options.reason_code not in CancelReason.__members__:
        raise CancelRefused(_("Pick one of Meta's reasons."), code="bad_reason")
    link_refusal = cart_link.link_options_refusal(shop=shop, link=options.link, send_by=options.send_by, discount=options.discount)
    if link_refusal:
        raise CancelRefused(link_refusal, code="link_refused")
    with transaction.atomic():
        SocialOrder.objects.select_for_update().filter(pk=order.pk).first()  # one start per order at a time
        # Read after the lock: a concurrent click with the same key that held it has committed by now
        # (PostgreSQL's READ COMMITTED shows its row), and is the same request, not a second action.
        earlier = RemediationAction.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return _same_request(earlier, shop=shop, order=order)
        refusal = cancel_refusal(shop=shop, order=order)
        if refusal:
            raise CancelRefused(refusal, code="refused")
        try:
            with transaction.atomic():
                action = RemediationAction.objects.create(
                    shop=shop, order=order, kind=Kind.CANCEL_AND_LINK, idempotency_key=key, actor=actor[:64], params=options.to_params(),
                    message=_("Queued: OrderGuard starts in a moment."),
                )
        except IntegrityError:  # the same key committed by a concurrent request
            return _same_request(RemediationAction.objects.get(idempotency_key=key), shop=shop, order=order)
        remediation_action_enqueue(action=action)
    return action


def _same_request(action: RemediationAction, *, shop: Shop, order: SocialOrder) -> RemediationAction:
    if action.shop_id != shop.pk or action.order_id != order.pk or action.kind != Kind.CANCEL_AND_LINK:
        raise CancelRefused(_("The confirmation expired; open it again."), code="bad_key")
    return action


@dataclass(frozen=True)
class BulkOutcome:
    order: SocialOrder
    action: RemediationAction | None
    refusal: str


def cancel_and_link_start_many(*, shop: Shop, orders_and_keys: Sequence[tuple[SocialOrder, str]], actor: str, options: CancelOptions) -> list[BulkOutcome]:
    """Each order its own action with its own result; one refusal does not stop the others."""
    outcomes = []
    for order, key in orders_and_keys:
        try:
            outcomes.append(BulkOutcome(order, cancel_and_link_start(shop=shop, order=order, idempotency_key=key, actor=actor, options=options), ""))
        except CancelRefused as error:
            outcomes.append(BulkOutcome(order, None, str(error)))
    return outcomes


def cancel_and_link_manual_done(*, action: RemediationAction, actor: str) -> bool:
    """The merchant cancelled the order in Commerce Manager: record who and when, and carry on with the
    link. False when the action is not waiting for that (already confirmed, or still being worked on)."""
    with transaction.atomic():
        locked = RemediationAction.objects.select_for_update().select_related("order", "shop").get(pk=action.pk)
        if locked.step != Step.AWAITING_MANUAL_CANCEL or locked.status not in (RemediationAction.Status.DONE, RemediationAction.Status.FAILED):
            return False
        action_step_move(
            action=locked, to=Step.LINKING, message=_("Cancelled in Commerce Manager; creating the store link."),
            result={"manual_cancel_confirmed_by": actor[:64], "manual_cancel_confirmed_at": timezone.now().isoformat()},
        )
        return remediation_action_reopen(action=locked)
