"""Connecting Meta from the app: pasting a system-user token, and Facebook Login in a top-level window,
through the sandbox's Meta over HTTP."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from orderguard.meta_connections.models import MetaConnection, MetaLoginAttempt
from orderguard.orders.schedule import polls_dispatch_due
from tests.helpers import bearer
from tests.meta_connections.facebook_login import consent, login_url
from tests.scenarios import BROKEN_CMS, BROKEN_SHOP

pytestmark = [pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]), pytest.mark.installed_shop(connected=False)]


def test_pasting_a_system_user_token_connects_and_schedules_a_poll(client, installed_shop):
    shop, token = installed_shop.shop, installed_shop.meta_token
    response = client.post("/app/meta/token", {"commerce_account_id": BROKEN_CMS, "access_token": token}, headers=bearer(BROKEN_SHOP))

    assert response.status_code == 200
    assert b"Fernhill Supply Co." in response.content and b"Disconnect" in response.content
    assert "og:toast" in response["HX-Trigger"]
    connection = MetaConnection.objects.get(shop=shop)
    assert connection.status == "connected" and connection.source == "system_user_token"
    assert connection.order_management_apps == [{"id": "2329312", "name": "Shopify"}]
    assert polls_dispatch_due() == [shop.pk]  # polled at the next dispatch


@pytest.mark.parametrize(
    "cms_id, token, message",
    [
        (BROKEN_CMS, "EAAthisTokenDoesNotExist", b"not valid"),
        ("123456789012345", None, b"does not cover this commerce account"),
        ("not-a-number", None, b"commerce account id is a number"),
        (BROKEN_CMS, "", b"Paste the access token"),
    ],
)
def test_a_token_meta_refuses_is_explained_and_nothing_is_stored(client, installed_shop, cms_id, token, message):
    good_token = installed_shop.meta_token
    response = client.post("/app/meta/token", {"commerce_account_id": cms_id, "access_token": good_token if token is None else token},
                           headers=bearer(BROKEN_SHOP))
    assert response.status_code == 422
    assert message in response.content
    assert not MetaConnection.objects.exists()


def test_disconnecting_forgets_the_token(client, installed_shop):
    shop, token = installed_shop.shop, installed_shop.meta_token
    client.post("/app/meta/token", {"commerce_account_id": BROKEN_CMS, "access_token": token}, headers=bearer(BROKEN_SHOP))
    response = client.post("/app/meta/disconnect", headers=bearer(BROKEN_SHOP))
    assert response.status_code == 200 and b"Continue with Facebook" in response.content
    connection = MetaConnection.objects.get(shop=shop)
    assert connection.status == "disconnected" and connection.access_token == ""


def test_facebook_login_in_a_top_level_window_connects_the_chosen_account(client, installed_shop):
    shop = installed_shop.shop
    start = client.get(login_url(client))
    assert start.status_code == 302 and start["Location"].startswith(settings.META_OAUTH_DIALOG_URL)
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    assert len(state) >= 43  # 256 random bits

    callback_url = consent(start["Location"], "continue")
    assert callback_url.startswith(settings.APP_URL + "/meta/login/callback")
    callback_path = callback_url.removeprefix(settings.APP_URL)
    choose_page = client.get(callback_path)
    assert choose_page.status_code == 200
    assert BROKEN_CMS.encode() in choose_page.content and b"Fernhill Supply" in choose_page.content

    done = client.post("/meta/login/choose", {"state": state, "commerce_account_id": BROKEN_CMS})
    assert done.status_code == 200 and b"Connected to Meta" in done.content
    connection = MetaConnection.objects.get(shop=shop)
    assert (connection.source, connection.token_type, connection.page_name) == ("facebook_login", "PAGE", "Fernhill Supply")
    attempt = MetaLoginAttempt.objects.get(state=state)
    assert attempt.completed_at and attempt.user_token is None and attempt.page_tokens is None

    # The state is single use: replaying the callback or the choice does nothing.
    assert client.get(callback_path).status_code == 400
    assert client.post("/meta/login/choose", {"state": state, "commerce_account_id": BROKEN_CMS}).status_code == 400


def test_cancelling_facebook_login_connects_nothing(client, installed_shop):
    start = client.get(login_url(client))
    callback_url = consent(start["Location"], "cancel")
    page = client.get(callback_url.removeprefix(settings.APP_URL))
    assert page.status_code == 200 and b"cancelled" in page.content
    assert not MetaConnection.objects.exists()


def test_a_forged_state_or_an_expired_ticket_is_refused(client, installed_shop):
    assert client.get("/meta/login/callback", {"state": "forged", "code": "x"}).status_code == 400
    link = login_url(client)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=11)):
        expired = client.get(link)
    assert expired.status_code == 400 and b"expired" in expired.content
    assert client.get("/meta/login/start", {"ticket": "tampered"}).status_code == 400
    assert not MetaLoginAttempt.objects.exists()


def test_the_login_window_speaks_the_admins_language(client, installed_shop):
    page = client.get("/app/meta/", headers={**bearer(BROKEN_SHOP), "X-OrderGuard-Locale": "nl"})
    link = unescape(re.search(rb'href="(/meta/login/start\?ticket=[^"]+)"', page.content).group(1).decode())
    start = client.get(link)
    callback_url = consent(start["Location"], "continue")
    choose = client.get(callback_url.removeprefix(settings.APP_URL))
    assert choose.status_code == 200
    assert "Kies het commerce-account dat je wilt bewaken" in choose.content.decode()
    assert b"Dit account koppelen" in choose.content and b"Choose the commerce account" not in choose.content
