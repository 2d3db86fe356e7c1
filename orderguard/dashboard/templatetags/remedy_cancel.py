"""Template helpers for 'cancel and send a store link': step and reason words, and the row badge (the
page's actions read once per list, not once per row)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from orderguard.remediation import progress
from orderguard.remediation.cancel_start import REASON_LABELS
from orderguard.remediation.item_mapping import MatchedBy
from orderguard.remediation.models import FINAL_STEPS, RemediationAction

register = template.Library()
Step = RemediationAction.Step
_CACHE = "og_cancel_actions"


def _step_words() -> dict[str, str]:
    return {
        Step.QUEUED: _("Queued"), Step.CHECKING: _("Checking"), Step.CANCELLING: _("Cancelling on Meta"),
        Step.AWAITING_MANUAL_CANCEL: _("Waiting for you in Commerce Manager"), Step.LINKING: _("Creating the store link"),
        Step.SENDING: _("Sending the link"), Step.DONE: _("Cancelled, link sent"), Step.STOPPED: _("Stopped"), Step.FAILED: _("Failed"),
    }


@register.filter
def step_label(step: str) -> str:
    return _step_words().get(step, step)


@register.filter
def step_tone(step: str) -> str:
    return {Step.DONE: "success", Step.FAILED: "critical", Step.STOPPED: "warning", Step.AWAITING_MANUAL_CANCEL: "attention"}.get(step, "info")


@register.filter
def is_final(step: str) -> bool:
    return step in FINAL_STEPS


@register.filter
def reason_label(code: str) -> str:
    label = REASON_LABELS.get(code)
    return str(label) if label else code


@register.filter
def matched_by_label(matched_by: str) -> str:
    """How a Meta item was found in the store, in the merchant's words (the code names the match rule)."""
    words = {MatchedBy.VARIANT_ID: _("the same Shopify variant"), MatchedBy.OFFER_ID: _("found by its catalog ID"),
             MatchedBy.SKU: _("found by its SKU"), MatchedBy.MERCHANT: _("chosen by you")}
    return words.get(matched_by, matched_by)


@register.inclusion_tag("remediation/_progress_row.html", takes_context=True)
def cancel_row_badge(context, order) -> dict:
    """The latest cancel action of a row's order; the list's actions are read in one query per render."""
    cache = context.render_context.get(_CACHE)
    if cache is None:
        page = context.get("page")
        ids = [row.pk for row in getattr(page, "orders", ())] or [order.pk]
        cache = context.render_context[_CACHE] = progress.cancel_actions_by_order(shop=context["shop"], order_ids=ids)
    return {"order": order, "remedy": cache.get(order.pk)}
