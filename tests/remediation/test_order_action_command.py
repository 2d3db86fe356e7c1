"""`order_action <shop> <meta-order-id> apology`: the draft as text or JSON (docs/order-action-json.md),
and with --send the action run to its final state through the same services as the app."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from orderguard.remediation.models import RemediationAction

pytestmark = pytest.mark.django_db

DOCUMENTED_DRAFT = {"language", "to", "from", "subject", "body", "relay_address", "store_link", "withheld"}
DOCUMENTED_ACTION = {"id", "kind", "step", "final", "message", "error_code", "idempotency_key", "actor", "created_at", "updated_at", "result"}


def _run(*args) -> str:
    out = StringIO()
    call_command("order_action", *args, stdout=out)
    return out.getvalue()


def test_the_draft_as_text_without_sending(shop_with_orders):
    text = _run("alpha-goods", "1000000000000001", "apology", "--language", "nl")
    assert "To: marcus@marketplace.facebook.com" in text and "Language: nl" in text
    assert "Subject: Je bestelling via Facebook bij Alpha Goods: onze excuses" in text
    assert "Beste Marcus Bell," in text and "relay address" in text
    assert not RemediationAction.objects.exists() and mail.outbox == []


def test_send_as_json_runs_the_action_to_its_end_once(shop_with_orders):
    data = json.loads(_run("alpha-goods.myshopify.com", "1000000000000001", "apology", "--send", "--json"))
    assert data["format_version"] == 1 and data["remedy"] == "apology" and data["shop"] == "alpha-goods.myshopify.com"
    assert set(data["draft"]) == DOCUMENTED_DRAFT and set(data["action"]) == DOCUMENTED_ACTION
    assert data["draft"]["language"] == "en" and data["draft"]["relay_address"] is True and data["draft"]["store_link"] is None
    action = data["action"]
    assert (action["kind"], action["step"], action["final"], action["actor"], action["error_code"]) == ("apology_email", "done", True, "operator", None)
    assert action["created_at"].endswith("Z") and "sent_at" in action["result"]
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == data["draft"]["subject"]


def test_text_send_prints_the_final_state(shop_with_orders):
    text = _run("alpha-goods", "1000000000000001", "apology", "--send")
    assert "done. Sent to the buyer." in text


def test_unknown_shop_order_or_remedy_is_a_clear_error(shop_with_orders):
    with pytest.raises(CommandError, match="No shop"):
        _run("nobody", "1", "apology")
    with pytest.raises(CommandError, match="No Meta order"):
        _run("alpha-goods", "999", "apology")
    with pytest.raises(CommandError, match="invalid choice"):
        _run("alpha-goods", "1000000000000001", "refund")
