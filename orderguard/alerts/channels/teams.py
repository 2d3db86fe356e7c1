"""Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): an Adaptive
Card 1.4 in a message envelope. The Office 365 connectors (webhook.office.com) are retired.

Teams refuses messages over 28 KB; a long order list is cut to fit, ending with "and N more".
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import ngettext

from orderguard.alerts.channels import http
from orderguard.alerts.channels.results import SendResult
from orderguard.alerts.messages import AlertMessage

MAX_BYTES = 28 * 1024


def card(message: AlertMessage, *, shown_orders: int | None = None) -> dict:
    orders = message.orders if shown_orders is None else message.orders[:shown_orders]
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": message.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            **({"color": "Attention"} if message.urgent else {}),
        },
        {"type": "TextBlock", "text": message.summary, "wrap": True},
    ]
    if message.facts:
        body.append({"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in message.facts]})
    for order in orders:
        text = f"[{order.name}]({order.url})" if order.url else order.name
        body.append({"type": "TextBlock", "text": text + (f" · {order.amount}" if order.amount else ""), "wrap": True, "spacing": "Small"})
    hidden = len(message.orders) - len(orders)
    if hidden:
        with translation.override(message.language):
            more = ngettext("and %(count)d more", "and %(count)d more", hidden) % {"count": hidden}
        body.append({"type": "TextBlock", "text": more, "isSubtle": True, "wrap": True})
    content: dict = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.link_url:
        content["actions"] = [{"type": "Action.OpenUrl", "title": message.link_label, "url": message.link_url}]
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": content}],
    }


def document(message: AlertMessage) -> dict:
    """The largest card under MAX_BYTES: as many orders as fit (binary search over the count)."""
    full = card(message)
    if len(http.json_bytes(full)) <= MAX_BYTES:
        return full
    low, high = 0, len(message.orders)
    while low < high:
        middle = (low + high + 1) // 2
        if len(http.json_bytes(card(message, shown_orders=middle))) <= MAX_BYTES:
            low = middle
        else:
            high = middle - 1
    return card(message, shown_orders=low)


def send(*, url: str, message: AlertMessage) -> SendResult:
    return http.post(url=url, body=http.json_bytes(document(message)))
