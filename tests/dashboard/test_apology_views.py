"""The apology email in the order drawer: the draft in the buyer's language (switchable), what it leaves
out and why, sending it once per form, its progress, the timeline, the bulk action, and the revenue
recovered against lost on the page."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from orderguard.orders.models import SocialOrder
from orderguard.remediation.models import RemediationAction
from orderguard.remediation.services import remediation_action_run
from tests.factories import make_social_order
from tests.helpers import SHOP_A, bearer, open_app

pytestmark = pytest.mark.django_db


def _key(content: bytes) -> str:
    return re.search(rb'name="key" value="([^"]+)"', content).group(1).decode()


def _field(content: bytes, name: str) -> str:
    text = content.decode()
    if name == "body":
        return html.unescape(re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', text, re.S).group(1))
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', text).group(1))


@pytest.fixture
def dutch_order(shop_with_orders):
    shop, orders = shop_with_orders
    order = orders["missing"]
    order.shipping_address = {**order.shipping_address, "country": "NL", "city": "Utrecht"}
    order.buyer_name = "Sanne de Vries"
    order.save()
    return order


def test_the_drawer_offers_the_apology(client, dutch_order):
    response = client.get(f"/app/orders/{dutch_order.pk}/", headers=bearer(SHOP_A))
    assert b'data-testid="apology-draft-button"' in response.content
    assert f'/app/orders/{dutch_order.pk}/apology'.encode() in response.content


def test_the_draft_opens_in_the_buyers_language_and_switches(client, dutch_order):
    dutch = client.get(f"/app/orders/{dutch_order.pk}/apology", headers=bearer(SHOP_A))
    assert dutch.status_code == 200 and b"<html" not in dutch.content
    assert _field(dutch.content, "subject") == "Je bestelling via Facebook bij Alpha Goods: onze excuses"
    body = _field(dutch.content, "body")
    assert body.startswith("Beste Sanne de Vries,") and "1000000000000001" in body and "Trail Jacket" in body
    assert b'data-testid="apology-relay"' in dutch.content  # @marketplace.facebook.com: customer service only
    assert b'data-testid="apology-no-discount"' in dutch.content  # the buyer did not opt in
    assert b'href="mailto:marcus@marketplace.facebook.com?subject=Je%20bestelling' in dutch.content

    english = client.get(f"/app/orders/{dutch_order.pk}/apology", {"language": "en"}, headers=bearer(SHOP_A))
    assert _field(english.content, "subject") == "Your Facebook order from Alpha Goods: our apologies"
    assert _field(english.content, "body").startswith("Dear Sanne de Vries,")


def test_an_english_buyer_gets_english_and_an_opted_in_buyer_may_get_a_discount(client, shop_with_orders):
    _shop, orders = shop_with_orders
    order = orders["stuck_review"]
    order.email_remarketing_option = True
    order.save()
    response = client.get(f"/app/orders/{order.pk}/apology", {"discount": "10%"}, headers=bearer(SHOP_A))
    assert _field(response.content, "body").startswith("Dear Jonas Berg,")
    assert "10% off" in _field(response.content, "body")
    assert b'data-testid="apology-no-discount"' not in response.content


def test_the_store_link_of_an_earlier_cancel_is_offered(client, dutch_order):
    RemediationAction.objects.create(shop=dutch_order.shop, order=dutch_order, kind=RemediationAction.Kind.CANCEL_AND_LINK,
                                     idempotency_key="cancel-key-000000000001", step="done",
                                     result={"invoice_url": "https://alpha.example/1/invoices/abc"})
    response = client.get(f"/app/orders/{dutch_order.pk}/apology", headers=bearer(SHOP_A))
    assert "https://alpha.example/1/invoices/abc" in _field(response.content, "body")
    without = client.get(f"/app/orders/{dutch_order.pk}/apology", {"link": ["0"]}, headers=bearer(SHOP_A))
    assert "invoices/abc" not in _field(without.content, "body")


def test_sending_the_edited_draft_twice_is_one_email_with_progress_and_timeline(client, dutch_order, django_capture_on_commit_callbacks):
    draft = client.get(f"/app/orders/{dutch_order.pk}/apology", headers=bearer(SHOP_A))
    form = {"key": _key(draft.content), "language": "nl", "subject": "Onze excuses voor je bestelling", "body": "Beste Sanne,\n\nHet spijt ons.\n"}
    with django_capture_on_commit_callbacks():
        first = client.post(f"/app/orders/{dutch_order.pk}/apology/send", form, headers=bearer(SHOP_A))
        second = client.post(f"/app/orders/{dutch_order.pk}/apology/send", form, headers=bearer(SHOP_A))
    assert first.status_code == second.status_code == 200
    assert b'data-step="queued"' in first.content and b"every 2s" in first.content
    (action,) = RemediationAction.objects.filter(order=dutch_order)
    assert action.params == {"to": "marcus@marketplace.facebook.com", "subject": "Onze excuses voor je bestelling",
                             "body": "Beste Sanne,\n\nHet spijt ons.\n", "language": "nl", "actor": "user:42"}

    remediation_action_run(action_id=action.pk)
    status = client.get(f"/app/remedies/apology/{action.pk}", headers={**bearer(SHOP_A), "X-OrderGuard-Locale": "nl"})
    assert b'data-step="done"' in status.content and b"every 2s" not in status.content
    assert "Verstuurd aan marcus@marketplace.facebook.com" in status.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].body == "Beste Sanne,\n\nHet spijt ons.\n"

    drawer = client.get(f"/app/orders/{dutch_order.pk}/", headers=bearer(SHOP_A))
    assert b"Apology email sent (by user:42)" in drawer.content
    history = client.get(f"/app/orders/{dutch_order.pk}/apologies", headers=bearer(SHOP_A))
    assert b'data-step="done"' in history.content


def test_a_refused_send_keeps_the_edits_and_says_why(client, dutch_order):
    response = client.post(f"/app/orders/{dutch_order.pk}/apology/send",
                           {"key": "k" * 32, "language": "nl", "subject": "", "body": "Mijn eigen tekst"}, headers=bearer(SHOP_A))
    assert response.status_code == 409 and b'data-testid="apology-error"' in response.content
    assert _field(response.content, "body") == "Mijn eigen tekst"
    assert not RemediationAction.objects.exists()


def test_bulk_drafts_and_sends_one_action_per_order(client, shop_with_orders, django_capture_on_commit_callbacks):
    _shop, orders = shop_with_orders
    ids = [orders["missing"].pk, orders["stuck_review"].pk]
    panel = client.post("/app/orders/apology", {"ids": [str(pk) for pk in ids]}, headers=bearer(SHOP_A))
    assert panel.status_code == 200 and b'data-testid="apology-bulk"' in panel.content
    text = panel.content.decode()
    form = {"order": [str(pk) for pk in ids]}
    for pk in ids:
        form[f"o{pk}-key"] = re.search(rf'name="o{pk}-key" value="([^"]+)"', text).group(1)
        form[f"o{pk}-language"] = "en"
        form[f"o{pk}-subject"] = html.unescape(re.search(rf'name="o{pk}-subject" value="([^"]*)"', text).group(1))
        form[f"o{pk}-body"] = html.unescape(re.search(rf'<textarea name="o{pk}-body"[^>]*>(.*?)</textarea>', text, re.S).group(1))
    with django_capture_on_commit_callbacks():
        result = client.post("/app/orders/apology/send", form, headers=bearer(SHOP_A))
        client.post("/app/orders/apology/send", form, headers=bearer(SHOP_A))  # a double click
    assert b"2 emails handed to the mailer." in result.content
    actions = list(RemediationAction.objects.order_by("pk"))
    assert sorted(action.order_id for action in actions) == sorted(ids)
    for action in actions:
        remediation_action_run(action_id=action.pk)
    assert len(actions) == 2 and len(mail.outbox) == 2


def test_bulk_ignores_another_shops_orders(client, shop_with_orders):
    other = SocialOrder.objects.get(meta_order_id="2000000000000001")
    panel = client.post("/app/orders/apology", {"ids": [str(other.pk)]}, headers=bearer(SHOP_A))
    assert b"Bravo Secret" not in panel.content and b"Select orders in the list first." in panel.content


def _cancelled(shop, meta_order_id, amount, *, currency="USD", **fields):
    """A stuck order that ended cancelled on Meta (its stuck time kept)."""
    order = make_social_order(shop=shop, meta_order_id=meta_order_id, status="fine", reason="cancelled", age=timedelta(days=3), amount=amount,
                              currency=currency, meta_cancelled=True, **fields)
    SocialOrder.objects.filter(pk=order.pk).update(stuck_since=timezone.now() - timedelta(days=2))


def test_the_page_shows_revenue_recovered_against_lost_per_currency(client, shop_with_orders):
    shop, _orders = shop_with_orders
    _cancelled(shop, "3000000000000001", "60.00", recovered_order_id="gid://shopify/Order/9", recovered_order_name="#1090",
               recovered_amount=Decimal("54.00"), recovered_currency="USD", recovered_at=timezone.now())
    _cancelled(shop, "3000000000000002", "30.00", currency="EUR")
    _cancelled(shop, "3000000000000003", "25.00")
    # Cancelled, but it had reached Shopify: an ordinary cancellation, not revenue the stuck order lost.
    _cancelled(shop, "3000000000000004", "999.00", shopify_order_id="gid://shopify/Order/77")

    page = open_app(client, SHOP_A, "/app/").content.decode()
    recovered = re.search(r'data-testid="revenue-recovered">(.*?)</p>', page).group(1)
    lost = re.search(r'data-testid="revenue-lost">(.*?)</p>', page).group(1)
    assert "$54.00" in recovered and "€" not in recovered
    assert "$25.00" in lost and "€30.00" in lost and "999" not in lost and "60" not in lost
    dutch = open_app(client, SHOP_A, "/app/", locale="nl").content.decode()
    assert "Teruggewonnen omzet" in dutch
