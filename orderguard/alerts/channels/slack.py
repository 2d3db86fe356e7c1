"""Slack incoming webhook: a Block Kit message, POSTed as JSON; Slack answers 200 "ok".

Slack's errors are 4xx with a plain-text code; all of them are permanent (the destination needs the
merchant). KNOWN_ERRORS turns the common ones into a hint for the settings page.
"""

from __future__ import annotations

from orderguard.alerts.channels import http
from orderguard.alerts.channels.results import Outcome, SendResult
from orderguard.alerts.messages import AlertMessage

# Slack's own limits: 50 blocks per message, 3000 characters in a section's text.
MAX_SECTION_TEXT = 3000
MAX_ORDER_LINES = 20

KNOWN_ERRORS = {
    "invalid_token": "the webhook was revoked",
    "no_service": "the webhook was disabled or removed",
    "no_service_id": "the webhook was disabled or removed",
    "no_active_hooks": "the webhook was disabled or removed",
    "channel_not_found": "the channel no longer exists",
    "channel_is_archived": "the channel is archived",
    "action_prohibited": "a workspace admin restricted posting",
    "posting_to_general_channel_denied": "only admins may post to this channel",
    "team_disabled": "the workspace is disabled",
    "no_team": "the workspace no longer exists",
    "invalid_payload": "Slack refused the message format",
    "no_text": "Slack refused the message format",
}


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks(message: AlertMessage) -> list[dict]:
    title = ("🚨 " if message.urgent else "") + message.title
    result: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": escape(message.summary)[:MAX_SECTION_TEXT]}},
    ]
    if message.facts:
        result.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{escape(label)}*\n{escape(value)}"} for label, value in message.facts[:10]
                ],
            }
        )
    if message.orders:
        lines = [_order_line(order) for order in message.orders[:MAX_ORDER_LINES]]
        hidden = len(message.orders) - len(lines)
        if hidden:
            lines.append(f"… +{hidden}")
        result.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:MAX_SECTION_TEXT]}})
    if message.link_url:
        result.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": message.link_label},
                        "url": message.link_url,
                        **({"style": "danger"} if message.urgent else {}),
                    }
                ],
            }
        )
    return result


def _order_line(order) -> str:
    name = escape(order.name)
    label = f"<{order.url}|{name}>" if order.url else name
    return f"• {label}" + (f" · {escape(order.amount)}" if order.amount else "")


def document(message: AlertMessage) -> dict:
    # `text` is the notification and screen-reader fallback of the blocks.
    return {"text": message.title, "blocks": blocks(message)}


def send(*, url: str, message: AlertMessage) -> SendResult:
    result = http.post(url=url, body=http.json_bytes(document(message)))
    if result.outcome is Outcome.PERMANENT and result.answer in KNOWN_ERRORS:
        return SendResult(result.outcome, result.status_code, f"{result.answer}: {KNOWN_ERRORS[result.answer]}")
    return result
