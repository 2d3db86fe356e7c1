"""The answers merchants ask for about "pending acknowledgement by Shopify", each with links to the check
or action it talks about. Texts are msgids translated when shown; links are resolved per request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _


def _check(code: str) -> Callable[[], str]:
    return lambda: f"{reverse('health:panel')}#check-{code}"


def _page(name: str, query: str = "") -> Callable[[], str]:
    return lambda: reverse(name) + query


@dataclass(frozen=True)
class AnswerLink:
    label: str  # msgid
    url: Callable[[], str]
    testid: str


@dataclass(frozen=True)
class Answer:
    code: str
    question: str  # msgid
    paragraphs: tuple[str, ...]  # msgids
    links: tuple[AnswerLink, ...]


ANSWERS = (
    Answer("meaning", _("What does “pending acknowledgement by Shopify” mean?"), (
        _("The buyer paid on Facebook or Instagram and Meta created the order. Meta now waits for Shopify's Facebook & Instagram channel to "
          "acknowledge it, which is the moment the order is copied into Shopify. Until then the order is in Commerce Manager only: "
          "you cannot see it in Shopify and cannot ship it."),
    ), (
        AnswerLink(_("Which app acknowledges your orders"), _check("meta.order_management_app"), "meta.order_management_app"),
        AnswerLink(_("Is the channel installed"), _check("shopify.channel_installed"), "shopify.channel_installed"),
    )),
    Answer("resolve", _("Can it resolve itself?"), (
        _("Sometimes: a short delay at Meta or Shopify clears on its own within an hour or so. Usually not when the channel is disconnected, "
          "Meta's access expired or a setting is wrong (a deleted or unpublished product, a country you do not ship to): then the order "
          "waits until Meta cancels it. The health checks say which of these applies."),
    ), (
        AnswerLink(_("See the health checks"), _page("health:panel"), "panel"),
        AnswerLink(_("Review the checkout settings"), _page("health:checkout"), "checkout"),
    )),
    Answer("prevent", _("How do I prevent it?"), (
        _("Keep the Facebook & Instagram channel connected and reconnect it when Meta's access nears its end; keep every product that is "
          "for sale on Facebook and Instagram published to the channel and in stock; ship to every country you sell to. "
          "OrderGuard checks all of this after every poll and warns you before Meta's access expires."),
    ), (
        AnswerLink(_("When Meta's access expires"), _check("meta.token_expiry"), "meta.token_expiry"),
        AnswerLink(_("Are the products on the channel"), _check("shopify.variants_published"), "shopify.variants_published"),
        AnswerLink(_("Do your shipping zones cover the buyers"), _check("shopify.shipping_coverage"), "shopify.shipping_coverage"),
    )),
    Answer("fix", _("How do I fix it now?"), (
        _("Follow the guided reconnect: turn the channel off, reconnect and sign in again at every step, check Commerce Manager and the "
          "checkout settings. OrderGuard then watches the stuck orders until they reach Shopify."),
    ), (
        AnswerLink(_("Start the guided reconnect"), _page("health:reconnect"), "reconnect"),
    )),
    Answer("contact", _("Whom do I contact?"), (
        _("Shopify support first: the Facebook & Instagram channel is Shopify's app, and it acknowledges the orders. Ask for a callback. "
          "Then Meta Commerce support, if Shopify says the channel is connected and orders still wait in Commerce Manager. "
          "Send both the support dossier: it lists the stuck orders, the checks and the error ids they ask for."),
    ), (
        AnswerLink(_("Download the support dossier"), _page("health:dossier"), "dossier"),
    )),
    Answer("charged", _("Is the buyer charged?"), (
        _("No. While the order is pending, the payment is only authorised: the money is reserved on the buyer's card, not taken. "
          "It is captured when the order ships. If Meta cancels the order, the reservation is released."),
        _("You can still tell the buyer what is happening: open a stuck order to see what OrderGuard can do for it, such as an apology e-mail."),
    ), (
        AnswerLink(_("Open the orders that need action"), _page("dashboard:home", "?tab=needs_action"), "orders"),
    )),
)


@dataclass(frozen=True)
class AnswerRow:
    code: str
    question: str
    paragraphs: list[str]
    links: list[tuple[str, str, str]]  # (label, url, testid)


def answer_rows() -> list[AnswerRow]:
    """The answers in the active language, their links resolved."""
    return [AnswerRow(a.code, gettext(a.question), [gettext(p) for p in a.paragraphs],
                      [(gettext(link.label), link.url(), link.testid) for link in a.links]) for a in ANSWERS]
