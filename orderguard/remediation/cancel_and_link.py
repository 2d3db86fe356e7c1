"""Cancel a stuck order on Meta and send the buyer a link to order the same items in the store.

The executor of Kind.CANCEL_AND_LINK. It resumes from the action's step, and writes what each step is about
to do (and what it did) into `result` before and after every external call, so a retry, a second worker
or a worker killed mid-way never repeats a call that took effect:

    CHECKING   the order is still cancellable on Meta (remediation.cancel_rules) and still not in Shopify
               (a fresh read of the channel's orders); its items map to variants. Else STOPPED, untouched.
    CANCELLING Meta's cancellation with the action's idempotency key (every retry sends the same key). A
               timeout is resolved by reading the order's cancellations before anything is sent again.
               Meta refusing the write (the Order API is invite-only), or a connection without
               commerce_account_manage_orders, hands over to the merchant: AWAITING_MANUAL_CANCEL.
    LINKING    one draft order with the mapped variants (found again by its tag on a retry, never twice).
    SENDING    Shopify's invoice email, at most once: a retry that finds the send started but not recorded
               asks the draft whether its invoice went out.

What later code reads from `result`: meta_cancelled_at, draft_order_id, draft_order_name, invoice_url,
invoice_sent_at, mapping (per item: matched_by or why unmapped). The draft's tag is `draft_tag_for()`.

The merchant's replacements for unmapped items (params `replacements`, replacements.py) are applied to
every fresh mapping with the variants read again: a picked variant gone at CHECKING stops the action
(nothing cancelled, the merchant picks again); gone at LINKING (after the cancel) its item is left out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orderguard.core.exceptions import ApplicationError, PlatformUnavailable
from orderguard.integrations.meta.errors import (
    MetaAuthError,
    MetaError,
    MetaInvalidRequestError,
    MetaPermissionError,
    MetaThrottledError,
    MetaTransientError,
)
from orderguard.integrations.meta.types import MetaOrderItem
from orderguard.integrations.shopify.draft_types import AppliedDiscount, DiscountCodeSpec, DraftOrderLine, DraftOrderSpec, MailingAddress
from orderguard.integrations.shopify.errors import ShopifyDiscountCodeTakenError, ShopifyError, ShopifyPermissionError, ShopifyUserError
from orderguard.meta_connections.clients import meta_graph_client
from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.models import PollState, ShopifySocialOrder, SocialOrder
from orderguard.orders.services import social_order_cancelled_on_meta
from orderguard.orders.shopify_sync import ShopifyOrderRecord, shopify_orders_store
from orderguard.reconciliation import matching
from orderguard.remediation import cart_link
from orderguard.remediation.apology import apology_language
from orderguard.remediation.apology_send import NOT_SENT_REFUSED, NOT_SENT_RETRYABLE
from orderguard.remediation.cancel_rules import CancelRefusal, cancel_verdict_for_order
from orderguard.remediation.executors import executor
from orderguard.remediation.item_mapping import ItemMapping, MatchedBy, map_items_with_client
from orderguard.remediation.replacements import AppliedReplacements, item_label, replacements_apply_with_client
from orderguard.remediation.models import RemediationAction
from orderguard.remediation.selectors import apology_from_address
from orderguard.remediation.steps import action_step_move
from orderguard.orders.events import order_remedy_event
from orderguard.shops.preferences import shop_preferences
from orderguard.shops.clients import shopify_admin_client
from orderguard.shops.exceptions import ShopUnavailable

logger = logging.getLogger(__name__)

Kind, Step = RemediationAction.Kind, RemediationAction.Step

MANAGE_ORDERS_SCOPE = "commerce_account_manage_orders"
# What a draft order needs from Shopify: creating and invoicing drafts, and reading variants to map items.
REQUIRED_SHOPIFY_SCOPES = ("write_draft_orders", "read_products")
META_ORDER_ATTRIBUTE = "orderguard_meta_order_id"
SHOPIFY_LOOKBACK_PAGES = 10


def draft_tag_for(meta_order_id: str) -> str:
    """The tag on the draft order made for a Meta order: how a retry, and recovery, find the draft."""
    return f"orderguard-meta-{meta_order_id}"


def missing_shopify_scopes(scopes: str) -> list[str]:
    """The scopes a draft order needs that the shop has not granted (write_* implies read_*)."""
    granted = {scope.strip() for scope in scopes.split(",") if scope.strip()}
    return [scope for scope in REQUIRED_SHOPIFY_SCOPES if scope not in granted]


def commerce_manager_order_url(order: SocialOrder) -> str:
    return settings.META_COMMERCE_MANAGER_ORDER_URL.format(cms_id=order.commerce_account_id, order_id=order.meta_order_id)


def meta_items_of(order: SocialOrder) -> list[MetaOrderItem]:
    """The order's items as stored at the last poll, as the item mapper takes them."""
    items = []
    for row in order.items or ():
        try:
            price = Decimal(str(row["price_per_unit"])) if row.get("price_per_unit") is not None else None
        except InvalidOperation:
            price = None
        items.append(MetaOrderItem(
            id=str(row.get("id", "")), retailer_id=str(row.get("retailer_id", "")), product_id=str(row.get("product_id", "")),
            product_name=str(row.get("product_name", "")), quantity=int(row.get("quantity") or 0), price_per_unit=price,
            currency=str(row.get("currency", "")), cancelled_quantity=row.get("cancelled_quantity"),
        ))
    return items


def mapping_record(mapping: ItemMapping, *, dropped: Sequence[str] = (), replacements: dict | None = None) -> list[dict]:
    """Per item: which variant it became and by which rung of the ladder (or the merchant's pick, with
    Meta's name of what it replaces), or why it did not map."""
    rows = [
        {"meta_item_id": m.meta_item_id, "retailer_id": m.retailer_id, "quantity": m.quantity, "variant_id": m.variant.id,
         "variant_title": m.variant.display_name, "matched_by": str(m.matched_by),
         **({"replaced_product_name": m.product_name} if m.matched_by == MatchedBy.MERCHANT else {})}
        for m in mapping.mapped if m.meta_item_id not in dropped
    ]
    rows += [
        {"meta_item_id": u.meta_item_id, "retailer_id": u.retailer_id, "quantity": u.quantity, "product_name": u.product_name,
         "unmapped": str(u.reason), "dropped": True,
         **({"replacement_variant_id": (replacements or {})[u.meta_item_id]} if u.meta_item_id in (replacements or {}) else {})}
        for u in mapping.unmapped
    ]
    rows += [
        {"meta_item_id": m.meta_item_id, "retailer_id": m.retailer_id, "quantity": m.quantity, "variant_id": m.variant.id,
         "matched_by": str(m.matched_by), "dropped": True}
        for m in mapping.mapped if m.meta_item_id in dropped
    ]
    return rows


@executor(Kind.CANCEL_AND_LINK)
def cancel_and_link_execute(action: RemediationAction) -> None:
    """Carry the action on from its step; each step either moves on, waits for the merchant, or ends. Its
    messages are written in the language of the merchant who started it."""
    with translation.override(action.params.get("language") or settings.LANGUAGE_CODE):
        if action.step in (Step.QUEUED, Step.CHECKING):
            _check(action)
        if action.step == Step.CANCELLING:
            _cancel(action)
        if action.step == Step.LINKING:
            _link(action)
        if action.step == Step.SENDING:
            _send(action)


# CHECKING
# ------------------------------------------------------------------------------------------------------


def _check(action: RemediationAction) -> None:
    action_step_move(action=action, to=Step.CHECKING, message=_("Checking the order on Meta and in Shopify."))
    order, now = action.order, timezone.now()
    missing = missing_shopify_scopes(action.shop.scopes)
    if missing:
        _stop(action, "scopes_missing", _("OrderGuard needs your approval to create draft orders and read products (%(scopes)s). Reopen OrderGuard from Apps in your Shopify admin and approve; nothing was cancelled.") % {"scopes": ", ".join(missing)})
        return
    if _cart_code_scope_missing(action):
        _stop(action, "discount_scope_missing", cart_link.scope_missing_message())
        return
    connection = MetaConnection.objects.filter(shop=action.shop, status=MetaConnection.Status.CONNECTED).first()
    if connection is None:
        _fail(action, "meta_not_connected", _("Meta is not connected, so OrderGuard cannot check or cancel the order. Reconnect Meta, then try again; nothing was cancelled."))
        return

    try:
        meta_order = meta_graph_client(connection=connection).get_order(order.meta_order_id)
    except (MetaAuthError, MetaPermissionError, MetaInvalidRequestError) as error:
        _fail(action, "meta_read_refused", _("Meta refused to show the order (%(error)s). Nothing was cancelled; check the order in Commerce Manager.") % {"error": error.message})
        return
    except MetaError as error:
        raise _platform_down("meta_unavailable", error) from None

    verdict = cancel_verdict_for_order(meta_order, now=now)
    if not verdict.allowed:
        _stop(action, f"not_cancellable_{verdict.refusal}", _refusal_message(verdict.refusal, verdict.allowed_from))
        return

    shopify_name = _shopify_order_name(action, order)
    if shopify_name:
        _stop(action, "in_shopify", _("This order reached Shopify meanwhile (%(name)s), so it was not cancelled. Handle it in Shopify as usual.") % {"name": shopify_name})
        return

    applied = _mapping(action)
    mapping, dropped = applied.mapping, set(action.params.get("dropped_items") or ())
    if applied.vanished:
        names = ", ".join(item_label(item) for item in applied.vanished)
        _stop(action, "replacement_gone", _("The variant you picked to replace %(items)s is no longer in your store, so nothing was cancelled. Start again and pick another.") % {"items": names})
        return
    if not [item for item in mapping.mapped if item.meta_item_id not in dropped]:
        _stop(action, "no_items_mapped", _("None of the order's items matches a product variant in your store, so there is nothing to link to. Nothing was cancelled; check the products in Shopify."))
        return

    checked = {"checked_at": now.isoformat(), "meta_state": meta_order.state, "mapping": _record(action, mapping, dropped)}
    if MANAGE_ORDERS_SCOPE not in connection.scopes.split(","):
        _await_manual(action, reason="scope_missing", result=checked)
        return
    action_step_move(action=action, to=Step.CANCELLING, message=_("Cancelling the order on Meta."), result=checked)


def _shopify_order_name(action: RemediationAction, order: SocialOrder) -> str:
    """The Shopify order this Meta order became, read fresh from Shopify: the channel's orders since it was
    placed are stored (as the poll stores them) and matched."""
    known = _stored_match(action.shop, order)
    if known:
        return known
    client = _shopify(action)
    state = PollState.objects.filter(shop=action.shop).first()
    handles = state.channel_handles if state else []
    scope = f"channel:{','.join(handles)}" if handles else f"source_name:{matching.META_CHANNEL_SOURCE_NAME}"
    since = order.meta_created_at
    query = f"updated_at:>='{since:%Y-%m-%dT%H:%M:%SZ}' {scope}"
    records, after = [], None
    try:
        for _page in range(SHOPIFY_LOOKBACK_PAGES):
            page = client.social_orders(query=query, after=after)
            records.extend(ShopifyOrderRecord.from_order(found) for found in page.orders)
            if not page.has_next_page:
                break
            after = page.end_cursor
    except ShopifyError as error:
        raise _platform_down("shopify_unavailable", error) from None
    shopify_orders_store(shop=action.shop, records=records)
    return _stored_match(action.shop, order)


def _stored_match(shop, order: SocialOrder) -> str:
    fresh = SocialOrder.objects.filter(pk=order.pk).values_list("shopify_order_name", "shopify_order_id").first()
    if fresh and (fresh[0] or fresh[1]):
        return fresh[0] or fresh[1]
    row = ShopifySocialOrder.objects.filter(shop=shop, meta_order_id=order.meta_order_id).only("name", "shopify_order_id").first()
    return (row.name or row.shopify_order_id) if row else ""


def _mapping(action: RemediationAction) -> AppliedReplacements:
    """The items mapped afresh, with the merchant's picks applied to variants read afresh."""
    client = _shopify(action)
    try:
        mapping = map_items_with_client(meta_items_of(action.order), client=client)
        return replacements_apply_with_client(mapping=mapping, replacements=_replacements(action), client=client)
    except ShopifyError as error:
        raise _platform_down("shopify_unavailable", error) from None


def _replacements(action: RemediationAction) -> dict[str, str]:
    return {str(item): str(gid) for item, gid in (action.params.get("replacements") or {}).items()}


def _record(action: RemediationAction, mapping: ItemMapping, dropped: set[str]) -> list[dict]:
    return mapping_record(mapping, dropped=dropped, replacements=_replacements(action))


def _refusal_message(refusal: CancelRefusal | None, allowed_from: datetime | None) -> str:
    if refusal == CancelRefusal.PROCESSING_UNDER_24H:
        if allowed_from:
            return _("Meta is still reviewing this order; it can be cancelled from %(when)s. Nothing was cancelled.") % {"when": timezone.localtime(allowed_from).strftime("%Y-%m-%d %H:%M")}
        return _("Meta is still reviewing this order, so it cannot be cancelled yet. Nothing was cancelled.")
    return {
        CancelRefusal.ACKNOWLEDGED: _("Meta says the order was acknowledged meanwhile (it is on its way to Shopify), so it was not cancelled."),
        CancelRefusal.COMPLETED: _("Meta says the order is already completed, so it was not cancelled."),
        CancelRefusal.SHIPPED: _("Meta says items of this order were shipped, so it was not cancelled."),
        CancelRefusal.ALREADY_CANCELLED: _("Meta says the order is already cancelled; there was nothing to cancel and no link was sent."),
    }.get(refusal, _("Meta reports a state OrderGuard does not cancel from, so nothing was cancelled."))


# CANCELLING
# ------------------------------------------------------------------------------------------------------


def _cancel(action: RemediationAction) -> None:
    order = action.order
    connection = MetaConnection.objects.filter(shop=action.shop).first()
    if connection is None or connection.status != MetaConnection.Status.CONNECTED:
        _fail(action, "meta_not_connected", _("Meta was disconnected before the order could be cancelled. Reconnect Meta and start again; nothing was cancelled."))
        return
    client = meta_graph_client(connection=connection)
    client.timeout = settings.REMEDY_META_WRITE_TIMEOUT
    if action.result.get("cancel_sent_at") and _cancellation_seen(client, order.meta_order_id):
        _cancelled(action)
        return
    params = action.params
    action_step_move(action=action, to=Step.CANCELLING, result={"cancel_sent_at": timezone.now().isoformat()})
    try:
        answer = client.cancel_order(
            order.meta_order_id, idempotency_key=action.idempotency_key, reason_code=params.get("reason_code", "CANCEL_REASON_OTHER"),
            reason_description=params.get("reason_description", ""), restock_items=bool(params.get("restock")),
        )
    except MetaPermissionError as error:
        logger.info("Meta refused the cancel of remedy %s (code %s): guided manual cancel", action.pk, error.code)
        _await_manual(action, reason="meta_refused", result={"meta_error_code": error.code})
        return
    except MetaAuthError:
        _fail(action, "meta_auth", _("Meta no longer accepts OrderGuard's access, so the order was not cancelled. Reconnect Meta and start again."))
        return
    except MetaInvalidRequestError as error:
        if _cancellation_seen(client, order.meta_order_id):
            _cancelled(action)
            return
        _fail(action, "meta_cancel_invalid", _("Meta would not cancel the order: %(error)s. Check it in Commerce Manager.") % {"error": error.message})
        return
    except (MetaTransientError, MetaThrottledError) as error:
        # The cancel may have run: the next attempt reads the cancellations before it sends anything.
        raise _platform_down("meta_cancel_unknown", error) from None
    if not answer.success and not _cancellation_seen(client, order.meta_order_id):
        _fail(action, "meta_cancel_unconfirmed", _("Meta did not confirm the cancellation. Check the order in Commerce Manager."))
        return
    _cancelled(action)


def _cancellation_seen(client, meta_order_id: str) -> bool:
    try:
        return bool(client.order_cancellations(meta_order_id))
    except MetaError as error:
        raise _platform_down("meta_unavailable", error) from None


def _cancelled(action: RemediationAction) -> None:
    social_order_cancelled_on_meta(order=action.order)
    action_step_move(action=action, to=Step.LINKING, message=_("Cancelled on Meta; creating the store link."),
                     result={"meta_cancelled_at": timezone.now().isoformat()})


def _await_manual(action: RemediationAction, *, reason: str, result: dict) -> None:
    action_step_move(
        action=action, to=Step.AWAITING_MANUAL_CANCEL, result={**result, "manual_reason": reason, "commerce_manager_url": commerce_manager_order_url(action.order)},
        message=_("Meta does not let OrderGuard cancel this order. Cancel it in Commerce Manager, then confirm here: OrderGuard then sends the store link."),
    )


# LINKING
# ------------------------------------------------------------------------------------------------------


def _link(action: RemediationAction) -> None:
    if action.params.get("link") == cart_link.LINK_CART:
        _link_cart(action)
        return
    if action.result.get("draft_order_id"):
        action_step_move(action=action, to=Step.SENDING)
        return
    client = _shopify(action)
    order, params = action.order, action.params
    tag = draft_tag_for(order.meta_order_id)
    try:
        earlier = client.draft_orders_tagged(tag)
    except ShopifyError as error:
        raise _platform_down("shopify_unavailable", error) from None
    if earlier:
        draft = earlier[0]
        action_step_move(action=action, to=Step.SENDING, message=_("Store link ready; sending it to the buyer."),
                         result={"draft_order_id": draft.id, "draft_order_name": draft.name, "invoice_url": draft.invoice_url, "draft_reused": True})
        return

    mapping = _mapping(action).mapping  # a pick gone since the check is left out, as any unmapped item
    dropped = set(params.get("dropped_items") or ())
    lines = tuple(DraftOrderLine(variant_id=item.variant.id, quantity=item.quantity) for item in mapping.mapped if item.meta_item_id not in dropped and item.quantity > 0)
    record = {"mapping": _record(action, mapping, dropped)}
    if not lines:
        _fail(action, "no_items_mapped", _("The order was cancelled on Meta, but none of its items matches a product in your store any more, so no link was made. Contact the buyer yourself."), result=record)
        return
    spec = DraftOrderSpec(
        lines=lines, email=order.buyer_email, tags=(tag, "orderguard"),
        note=_("OrderGuard: the buyer's Meta order %(id)s could not be processed and was cancelled.") % {"id": order.meta_order_id},
        custom_attributes=((META_ORDER_ATTRIBUTE, order.meta_order_id),), shipping_address=_address(order.shipping_address),
        applied_discount=_discount(params), presentment_currency_code=order.currency,
    )
    action_step_move(action=action, to=Step.LINKING, result={**record, "draft_create_started_at": timezone.now().isoformat()})
    try:
        draft = client.draft_order_create(spec)
    except ShopifyUserError as error:
        _fail(action, "draft_refused", _("The order was cancelled on Meta, but Shopify refused the draft order: %(error)s. Create a draft order for the buyer in Shopify yourself.") % {"error": error}, result=record)
        return
    except ShopifyPermissionError:
        _fail(action, "scopes_missing", _("The order was cancelled on Meta, but OrderGuard may not create draft orders. Approve OrderGuard's new permissions in your Shopify admin, then create the draft yourself."))
        return
    except ShopifyError as error:
        raise _platform_down("shopify_unavailable", error) from None  # the retry finds the draft by its tag
    action_step_move(action=action, to=Step.SENDING, message=_("Store link ready; sending it to the buyer."),
                     result={"draft_order_id": draft.id, "draft_order_name": draft.name, "invoice_url": draft.invoice_url})


def _address(address: dict) -> MailingAddress | None:
    if not address:
        return None
    first, _space, last = str(address.get("name", "")).strip().partition(" ")
    return MailingAddress(
        first_name=first, last_name=last, address1=str(address.get("street1", "")), address2=str(address.get("street2", "")),
        city=str(address.get("city", "")), province_code=str(address.get("state", "")), zip=str(address.get("postal_code", "")),
        country_code=str(address.get("country", "")),
    )


def _discount(params: dict) -> AppliedDiscount | None:
    discount = params.get("discount") or None
    if not discount:
        return None
    return AppliedDiscount(value=Decimal(str(discount["value"])), value_type=discount.get("type", "PERCENTAGE"),
                           title=_("Our apologies"), description=_("For the trouble with your order"))


# SENDING
# ------------------------------------------------------------------------------------------------------


def _send(action: RemediationAction) -> None:
    if action.params.get("send_by") == cart_link.SEND_APP_EMAIL or action.params.get("link") == cart_link.LINK_CART:
        _send_app_email(action)
        return
    result, order = action.result, action.order
    if result.get("invoice_sent_at"):
        _done(action)
        return
    if not order.buyer_email:
        action_step_move(action=action, to=Step.DONE, result={"invoice_skipped": "no_buyer_email"},
                         message=_("Cancelled on Meta and the store link is ready, but Meta shared no buyer email. Copy the link and send it to the buyer."))
        return
    client = _shopify(action)
    if result.get("invoice_send_started_at"):
        try:
            draft = client.draft_order(result["draft_order_id"])
        except ShopifyError as error:
            raise _platform_down("shopify_unavailable", error) from None
        if draft is not None and draft.invoice_sent_at:
            action_step_move(action=action, to=Step.SENDING, result={"invoice_sent_at": draft.invoice_sent_at.isoformat()})
            _done(action)
            return
    action_step_move(action=action, to=Step.SENDING, message=_("Sending the store link to the buyer."),
                     result={"invoice_send_started_at": timezone.now().isoformat()})
    try:
        draft = client.draft_order_invoice_send(result["draft_order_id"], custom_message=action.params.get("message", ""))
    except ShopifyUserError as error:
        _fail(action, "invoice_refused", _("The order was cancelled on Meta and the store link is ready, but Shopify would not send it: %(error)s. Copy the link and send it to the buyer.") % {"error": error})
        return
    except ShopifyError as error:
        raise _platform_down("shopify_unavailable", error) from None  # the retry asks the draft whether it went out
    sent_at = draft.invoice_sent_at or timezone.now()
    action_step_move(action=action, to=Step.SENDING, result={"invoice_sent_at": sent_at.isoformat()})
    _done(action)


def _done(action: RemediationAction) -> None:
    action_step_move(action=action, to=Step.DONE, message=_("Done: the order is cancelled on Meta (the buyer's payment is released) and the buyer was emailed a link to order the same items in your store. When they pay, the order appears in Shopify."))


# The cart permalink (cart_link.py) and OrderGuard's own email
# ------------------------------------------------------------------------------------------------------


def _cart_code_scope_missing(action: RemediationAction) -> bool:
    shop_scopes = type(action.shop).objects.filter(pk=action.shop_id).values_list("scopes", flat=True).first() or ""
    return cart_link.needs_discount_scope(link=action.params.get("link", ""), discount=action.params.get("discount")) and not cart_link.has_scope(shop_scopes, cart_link.DISCOUNT_SCOPE)


def _link_cart(action: RemediationAction) -> None:
    """The cart permalink; with an apology discount first its single-use code, made at most once: the
    code is the action's (cart_link.discount_code_for), recorded with its start before Shopify is asked,
    and a retry that finds the start looks the code up (or meets Shopify's TAKEN) instead of making another."""
    result, params, order = action.result, action.params, action.order
    if result.get("store_link_url"):
        action_step_move(action=action, to=Step.SENDING)
        return
    mapping = _mapping(action).mapping  # a pick gone since the check is left out, as any unmapped item
    dropped = set(params.get("dropped_items") or ())
    lines = [(item.variant.id, item.quantity) for item in mapping.mapped if item.meta_item_id not in dropped and item.quantity > 0]
    record = {"mapping": _record(action, mapping, dropped), "link_kind": cart_link.LINK_CART}
    if not lines:
        _fail(action, "no_items_mapped", _("The order was cancelled on Meta, but none of its items matches a product in your store any more, so no link was made. Contact the buyer yourself."), result=record)
        return
    code = ""
    if params.get("discount"):
        if _cart_code_scope_missing(action):
            _fail(action, "discount_scope_missing", _("The order was cancelled on Meta, but OrderGuard may no longer create discount codes (write_discounts), so no link was made. Approve discount codes in Settings, or create the link for the buyer in Shopify yourself."), result=record)
            return
        code = cart_link.discount_code_for(action.idempotency_key)
        if not _discount_code_made(action, code=code, lines=lines, record=record):
            return
    url = cart_link.cart_permalink(base_url=cart_link.storefront_base(action.shop), lines=lines, code=code,
                                   attributes=((META_ORDER_ATTRIBUTE, order.meta_order_id),))
    action_step_move(action=action, to=Step.SENDING, message=_("Store link ready; sending it to the buyer."),
                     result={**record, "discount_code": code, "store_link_url": url})


def _discount_code_made(action: RemediationAction, *, code: str, lines: list, record: dict) -> bool:
    """True when the action's code exists in Shopify (found, or made now); False after ending the action."""
    client = _shopify(action)
    try:
        if action.result.get("discount_create_started_at") and client.discount_code_by_code(code) is not None:
            return True
    except ShopifyError as error:
        raise _platform_down("shopify_unavailable", error) from None
    discount, now = action.params["discount"], timezone.now()
    value = Decimal(str(discount["value"]))
    spec = DiscountCodeSpec(
        code=code, title=_("OrderGuard apology for Meta order %(id)s") % {"id": action.order.meta_order_id}, starts_at=now,
        ends_at=now + timedelta(days=cart_link.CODE_VALID_DAYS), variant_ids=tuple(dict.fromkeys(variant for variant, _qty in lines)),
        percentage=value / 100 if discount.get("type") == "PERCENTAGE" else None,
        amount=None if discount.get("type") == "PERCENTAGE" else value, usage_limit=1, applies_once_per_customer=True,
    )
    action_step_move(action=action, to=Step.LINKING, result={**record, "discount_code": code, "discount_create_started_at": now.isoformat()})
    try:
        client.discount_code_basic_create(spec)
    except ShopifyDiscountCodeTakenError:
        return True  # made by an earlier attempt of this action (the code is derived from its key)
    except ShopifyUserError as error:
        _fail(action, "discount_refused", _("The order was cancelled on Meta, but Shopify refused the discount code: %(error)s. Create the link for the buyer in Shopify yourself.") % {"error": error}, result=record)
        return False
    except ShopifyPermissionError:
        _fail(action, "discount_scope_missing", _("The order was cancelled on Meta, but OrderGuard may no longer create discount codes (write_discounts), so no link was made. Approve discount codes in Settings, or create the link for the buyer in Shopify yourself."), result=record)
        return False
    except ShopifyError as error:
        raise _platform_down("shopify_unavailable", error) from None  # the retry looks the code up first
    return True


def _send_app_email(action: RemediationAction) -> None:
    """The link in OrderGuard's own email, at most once (as apology_send.py): the start is recorded
    before the mailer is called, and a retry that finds a start without a sent time ends FAILED ("may or
    may not have been sent") instead of sending again."""
    result, order = action.result, action.order
    if result.get("link_email_sent_at"):
        _done(action)
        return
    url = result.get("store_link_url") or result.get("invoice_url") or ""
    if not order.buyer_email:
        action_step_move(action=action, to=Step.DONE, result={"invoice_skipped": "no_buyer_email"},
                         message=_("Cancelled on Meta and the store link is ready, but Meta shared no buyer email. Copy the link and send it to the buyer."))
        return
    if result.get("link_email_started_at"):
        _end_link_email(action, to=Step.FAILED, what="link_email_uncertain", error_code="send_uncertain",
                        message=_("Cancelled on Meta and the store link is ready, but its email may or may not have been sent; check your sent mail before sending the link yourself."))
        return
    action_step_move(action=action, to=Step.SENDING, message=_("Sending the store link to the buyer."),
                     result={"link_email_started_at": timezone.now().isoformat()})
    try:
        mailers.default.send_messages([_link_email(action, url)])
    except NOT_SENT_RETRYABLE as error:
        action_step_move(action=action, to=Step.SENDING, result={"link_email_started_at": None, "last_error": type(error).__name__},
                         message=_("The mail server could not be reached; OrderGuard tries again shortly."))
        raise ApplicationError(_("The mail server could not be reached."), code="mail_unreachable", retryable=True) from None
    except NOT_SENT_REFUSED as error:
        _end_link_email(action, to=Step.FAILED, what="link_email_refused", error_code="mail_refused", result={"last_error": type(error).__name__},
                        message=_("Cancelled on Meta and the store link is ready, but the mail server refused the email. Copy the link and send it to the buyer."))
        return
    except Exception:  # noqa: BLE001  anything else: the server may have taken it
        _end_link_email(action, to=Step.FAILED, what="link_email_uncertain", error_code="send_uncertain",
                        message=_("Cancelled on Meta and the store link is ready, but its email may or may not have been sent; check your sent mail before sending the link yourself."))
        return
    _end_link_email(action, to=Step.DONE, what="link_emailed", result={"link_email_sent_at": timezone.now().isoformat()},
                    message=_("Done: the order is cancelled on Meta (the buyer's payment is released) and the buyer was emailed a link to order the same items in your store. When they pay, the order appears in Shopify."))


def _link_email(action: RemediationAction, url: str) -> EmailMessage:
    shop, order, result = action.shop, action.order, action.result
    override = shop_preferences(shop=shop).email_language_override
    language = apology_language(country_code=str((order.shipping_address or {}).get("country", "")), override=override)
    expires = (action.created_at + timedelta(days=cart_link.CODE_VALID_DAYS)).date().isoformat()
    with translation.override(language):
        subject = cart_link.link_email_subject(shop_name=shop.name or shop.domain)
        body = cart_link.link_email_body(message=action.params.get("message", ""), url=url, code=result.get("discount_code", ""), expires=expires)
    return EmailMessage(
        subject=subject, body=body, from_email=apology_from_address(shop=shop), to=[order.buyer_email],
        reply_to=[shop.contact_email] if shop.contact_email else [],
        headers={"Message-ID": f"<storelink.{action.idempotency_key}@{shop.domain}>"},
    )


def _end_link_email(action: RemediationAction, *, to: str, what: str, message: str, result: dict | None = None, error_code: str = "") -> None:
    """The step and the order's timeline entry, together."""
    with transaction.atomic():
        action_step_move(action=action, to=to, message=message, result=result, error_code=error_code)
        order_remedy_event(order=action.order, what=what, actor=action.actor, detail="app_email", at=timezone.now()).save()


# Helpers
# ------------------------------------------------------------------------------------------------------


def _shopify(action: RemediationAction):
    try:
        return shopify_admin_client(shop=action.shop)
    except ShopUnavailable as error:
        raise PlatformUnavailable(str(error), code="shopify_unavailable") from None


def _platform_down(code: str, error: Exception) -> PlatformUnavailable:
    return PlatformUnavailable(_("A platform did not answer; OrderGuard tries again shortly."), code=code, detail=str(error)[:200])


def _stop(action: RemediationAction, code: str, message: str) -> None:
    action_step_move(action=action, to=Step.STOPPED, error_code=code, message=message)


def _fail(action: RemediationAction, code: str, message: str, *, result: dict | None = None) -> None:
    action_step_move(action=action, to=Step.FAILED, error_code=code, message=message, result=result)
