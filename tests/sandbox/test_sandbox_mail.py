"""The sandbox's mailer and mail page: what the demo sends is kept and listed at /_sandbox/mail/, escaped;
and the shop's contact address, synced from Shopify's shop details, is the apology's sender."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMessage
from django.test import override_settings

from orderguard.sandbox.models import SandboxMail, SandboxShop
from orderguard.shops.models import Shop
from orderguard.shops.services import shop_sync_details
from tests.helpers import SHOP_A, make_sandbox_shop, open_app

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


@override_settings(MAILERS={"default": {"BACKEND": "orderguard.sandbox.mail.SandboxMailBackend"}})
def test_sent_mail_is_kept_and_listed_escaped(client, capsys):
    message = EmailMessage(subject="Onze excuses <script>", body="Beste Ada,\n<b>sorry</b>\n", from_email="Alpha <hello@alpha.example>",
                           to=["ada@marketplace.facebook.com"], reply_to=["hello@alpha.example"])
    assert message.send() == 1
    stored = SandboxMail.objects.get()
    assert (stored.to, stored.reply_to, stored.sender) == ("ada@marketplace.facebook.com", "hello@alpha.example", "Alpha <hello@alpha.example>")
    assert "Onze excuses" in capsys.readouterr().out  # printed like the console backend, too

    page = client.get("/_sandbox/mail/")
    assert page.status_code == 200 and b'data-testid="sandbox-mail"' in page.content
    assert b"&lt;script&gt;" in page.content and b"<b>sorry</b>" not in page.content
    assert b'href="/_sandbox/mail/"' in client.get("/_sandbox/admin/").content


def test_the_shop_details_sync_stores_the_contact_address(app_server, client):
    make_sandbox_shop(SHOP_A)
    SandboxShop.objects.filter(domain=SHOP_A).update(email="hello@alpha.example")
    assert open_app(client).status_code == 200
    shop = shop_sync_details(shop=Shop.objects.get(domain=SHOP_A))
    assert shop.contact_email == "hello@alpha.example"
