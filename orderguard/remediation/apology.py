"""The buyer's apology email for a stuck Facebook/Instagram order: sincere and specific, in the buyer's
language (templates/remediation/apology_<language>.txt, plain text).

What it says: what happened (the order never reached the shop), that the buyer has not been charged (Meta
only authorised the payment; it captures on shipment and releases the hold when the order is
cancelled), what happens next, and optionally the direct store link and an apology discount.

Meta shares buyer addresses for customer service; marketing needs the buyer's opt-in
(`email_remarketing_option`). The store link for the same items is part of resolving the order; an
apology discount is an incentive, so it is only written when the buyer opted in, and otherwise reported
in `withheld` for the UI to explain.

Every value from outside (buyer name, shop name, items, a subject the merchant edits) is reduced to one
line of printable text, so nothing can add lines or headers; the body is plain text, which the UI
escapes wherever it shows it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from babel.dates import format_date
from django.template.loader import render_to_string

SUPPORTED_LANGUAGES = ("en", "nl")
DEFAULT_LANGUAGE = "en"
# Countries where Dutch is the language a shop writes to its buyers in (Belgium: Flanders and Brussels,
# the larger share of its online buyers; the merchant can switch).
DUTCH_COUNTRIES = frozenset({"NL", "BE", "SR", "AW", "CW", "SX", "BQ"})
CHANNEL_NAMES = {"facebook": "Facebook", "instagram": "Instagram"}
UNKNOWN_CHANNEL = {"en": "Facebook or Instagram", "nl": "Facebook of Instagram"}
NAME_LIMIT = 80
SUBJECT_LIMIT = 150


@dataclass(frozen=True)
class ApologyLine:
    name: str
    quantity: int


@dataclass(frozen=True)
class ApologyFacts:
    shop_name: str
    meta_order_id: str
    lines: tuple[ApologyLine, ...]
    # Meta's buyer_details.email_remarketing_option: None (unknown) counts as no.
    remarketing_allowed: bool | None
    buyer_name: str = ""
    channel: str = ""  # facebook or instagram (Meta's `channel`)
    order_date: date | None = None
    order_cancelled: bool = False  # already cancelled on Meta, or about to be
    store_link: str = ""
    discount: str = ""  # how much, as the buyer should read it: "10%", "€5"
    discount_code: str = ""
    signature: str = ""  # defaults to the shop name


@dataclass(frozen=True)
class ApologyDraft:
    language: str
    subject: str
    body: str
    withheld: tuple[str, ...] = ()  # parts left out, e.g. ("discount",) without the buyer's opt-in


def apology_language(*, country_code: str = "", override: str = "") -> str:
    """The merchant's choice if supported, else guessed from the shipping country, else English."""
    if override in SUPPORTED_LANGUAGES:
        return override
    return "nl" if (country_code or "").strip().upper() in DUTCH_COUNTRIES else DEFAULT_LANGUAGE


def apology_draft(*, facts: ApologyFacts, language: str) -> ApologyDraft:
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"Unsupported apology language {language!r}")
    withheld: list[str] = []
    discount, code = one_line(facts.discount, 40), one_line(facts.discount_code, 60)
    if (discount or code) and facts.remarketing_allowed is not True:
        withheld.append("discount")
        discount, code = "", ""
    channel = CHANNEL_NAMES.get(facts.channel.lower(), UNKNOWN_CHANNEL[language])
    shop_name = one_line(facts.shop_name, NAME_LIMIT)
    context = {
        "shop_name": shop_name,
        "buyer_name": one_line(facts.buyer_name, NAME_LIMIT),
        "channel": channel,
        "meta_order_id": one_line(facts.meta_order_id, 40),
        "order_date": format_date(facts.order_date, format="long", locale=language) if facts.order_date else "",
        "lines": [{"name": one_line(line.name, 200), "quantity": int(line.quantity)} for line in facts.lines],
        "order_cancelled": facts.order_cancelled,
        "store_link": one_line(facts.store_link, 2000),
        "discount": discount,
        "discount_code": code,
        "signature": one_line(facts.signature, NAME_LIMIT) or shop_name,
    }
    subject = render_to_string(f"remediation/apology_subject_{language}.txt", context)
    body = render_to_string(f"remediation/apology_{language}.txt", context)
    return ApologyDraft(language=language, subject=safe_subject(subject), body=_tidy(body), withheld=tuple(withheld))


def one_line(value: str, limit: int) -> str:
    """Printable text on one line: control and format characters (newlines, bidi overrides) become spaces."""
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" and char != " " else char for char in str(value or ""))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_subject(subject: str) -> str:
    """A subject that cannot break out of its header (also for a subject the merchant edited)."""
    return one_line(subject, SUBJECT_LIMIT)


def mailto_link(*, to: str, subject: str, body: str) -> str:
    """A mailto: URL for the merchant's mail program; every part is percent-encoded."""
    address = one_line(to, 254)
    if not address or any(char in address for char in " ?&#,;<>\"'"):
        raise ValueError("Not a single email address")
    query = f"subject={quote(safe_subject(subject), safe='')}&body={quote(body.replace(chr(13), ''), safe='')}"
    return f"mailto:{quote(address, safe='@')}?{query}"


def _tidy(body: str) -> str:
    """The rendered template without trailing spaces or runs of blank lines (from optional sections)."""
    lines = [line.rstrip() for line in body.strip().splitlines()]
    tidied: list[str] = []
    for line in lines:
        if line or (tidied and tidied[-1]):
            tidied.append(line)
    return "\n".join(tidied) + "\n"
