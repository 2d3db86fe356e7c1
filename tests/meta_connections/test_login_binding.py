"""Facebook Login is bound to the browser that started it (issue 8, item 1): a dialog link forwarded to
someone else cannot link their Meta account to the sender's shop. Through the sandbox's Meta over HTTP."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from orderguard.meta_connections.models import MetaConnection, MetaLoginAttempt
from orderguard.meta_connections.tasks import purge_login_attempts_task
from orderguard.meta_connections.views import BROWSER_COOKIE
from tests.helpers import SHOP_A, make_sandbox_shop, open_app
from tests.meta_connections.facebook_login import consent, login_url
from tests.scenarios import BROKEN_CMS

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def _start(client, shop_domain=None) -> tuple[str, str]:
    """Open the login window from the app: returns Facebook's dialog URL and the login's state."""
    start = client.get(login_url(client, *([shop_domain] if shop_domain else [])))
    assert start.status_code == 302, start.content
    return start["Location"], parse_qs(urlparse(start["Location"]).query)["state"][0]


def _path(url: str) -> str:
    return url.removeprefix(settings.APP_URL)


def _own_csrf_token(client) -> str:
    """A CSRF token the attacker legitimately holds (Django accepts a cookie secret sent back as is)."""
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    return token


def test_the_login_csrf_attack_of_issue_8_is_refused_step_by_step(installed):
    # The attacker has installed OrderGuard on shop X and starts a Facebook Login for it.
    attacker = Client(enforce_csrf_checks=True)
    make_sandbox_shop(SHOP_A, name="Attacker Goods")
    open_app(attacker, SHOP_A)
    dialog_url, state = _start(attacker, SHOP_A)

    # The victim opens the forwarded dialog link and approves it with their own Facebook account; Facebook
    # sends the victim's browser (which never saw the attacker's cookie) to the callback.
    callback = consent(dialog_url, "continue")
    victim = Client(enforce_csrf_checks=True)
    refused = victim.get(_path(callback))
    assert refused.status_code == 400
    assert BROKEN_CMS.encode() not in refused.content and b"no longer valid" in refused.content
    attempt = MetaLoginAttempt.objects.get(state=state)
    # The code was never exchanged: no token of the victim's, no account list.
    assert attempt.called_back_at is None and attempt.user_token is None and attempt.accounts == []

    # The attacker posts the choice with the victim's state and account id and a CSRF token of their own.
    token = _own_csrf_token(attacker)
    choice = attacker.post("/meta/login/choose", {"state": state, "commerce_account_id": BROKEN_CMS, "csrfmiddlewaretoken": token})
    assert choice.status_code == 400  # past the CSRF check (not 403), refused by the login's own checks
    assert not MetaConnection.objects.exists()


def test_a_callback_from_another_browsers_login_is_refused(installed):
    owner, other = Client(), Client()
    dialog_url, state = _start(owner)
    _start(other)  # the other browser holds a login cookie too, just not this login's
    callback = consent(dialog_url, "continue")
    assert other.get(_path(callback)).status_code == 400
    assert MetaLoginAttempt.objects.get(state=state).called_back_at is None


def test_the_choice_is_refused_from_another_browser_and_for_an_account_not_offered(installed):
    shop, _ = installed
    owner, other = Client(), Client()
    dialog_url, state = _start(owner)
    assert owner.get(_path(consent(dialog_url, "continue"))).status_code == 200
    _start(other)

    assert other.post("/meta/login/choose", {"state": state, "commerce_account_id": BROKEN_CMS}).status_code == 400
    not_offered = owner.post("/meta/login/choose", {"state": state, "commerce_account_id": "123456789012345"})
    assert not_offered.status_code == 400 and b"Pick one of the commerce accounts listed" in not_offered.content
    assert not MetaConnection.objects.exists()

    done = owner.post("/meta/login/choose", {"state": state, "commerce_account_id": BROKEN_CMS})
    assert done.status_code == 200 and b"Connected to Meta" in done.content
    assert MetaConnection.objects.get(shop=shop).commerce_account_id == BROKEN_CMS
    assert done.cookies[BROWSER_COOKIE].value == ""  # the login cookie is cleared


def test_the_state_is_called_back_once_and_chosen_once(installed):
    browser = Client()
    dialog_url, state = _start(browser)
    callback = _path(consent(dialog_url, "continue"))
    assert browser.get(callback).status_code == 200
    assert browser.get(callback).status_code == 400
    # The accounts of the first callback still stand; the choice is then spent.
    assert browser.post("/meta/login/choose", {"state": state, "commerce_account_id": BROKEN_CMS}).status_code == 200
    assert browser.post("/meta/login/choose", {"state": state, "commerce_account_id": BROKEN_CMS}).status_code == 400


def test_a_choice_before_any_callback_is_refused(installed):
    browser = Client()
    _, state = _start(browser)
    assert browser.post("/meta/login/choose", {"state": state, "commerce_account_id": BROKEN_CMS}).status_code == 400
    assert not MetaConnection.objects.exists()


def test_an_expired_login_is_refused_at_the_callback_and_at_the_choice(installed):
    browser = Client()
    dialog_url, state = _start(browser)
    callback = _path(consent(dialog_url, "continue"))
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert browser.get(callback).status_code == 400

    browser = Client()
    dialog_url, state = _start(browser)
    assert browser.get(_path(consent(dialog_url, "continue"))).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert browser.post("/meta/login/choose", {"state": state, "commerce_account_id": BROKEN_CMS}).status_code == 400
    assert not MetaConnection.objects.exists()


def test_the_login_cookie_is_first_party_http_only_lax_and_secure_in_production(installed, settings):
    start = Client().get(login_url(Client()))
    cookie = start.cookies[BROWSER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/meta/login/"
    assert not cookie["secure"]  # the test profile serves plain http on loopback
    assert len(cookie.value) >= 43
    attempt = MetaLoginAttempt.objects.get()
    assert cookie.value not in attempt.browser_key_hash and len(attempt.browser_key_hash) == 64

    settings.META_LOGIN_COOKIE_SECURE = True
    assert Client().get(login_url(Client())).cookies[BROWSER_COOKIE]["secure"]


def test_a_cancelled_login_is_spent(installed):
    browser = Client()
    dialog_url, state = _start(browser)
    assert browser.get(_path(consent(dialog_url, "cancel"))).status_code == 200
    assert MetaLoginAttempt.objects.get(state=state).completed_at is not None


def test_abandoned_and_spent_attempts_lose_their_tokens(installed):
    abandoned, live = Client(), Client()
    dialog_url, abandoned_state = _start(abandoned)
    assert abandoned.get(_path(consent(dialog_url, "continue"))).status_code == 200
    held = MetaLoginAttempt.objects.get(state=abandoned_state)
    assert held.user_token and held.page_tokens and held.accounts

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        dialog_url, live_state = _start(live)
        assert live.get(_path(consent(dialog_url, "continue"))).status_code == 200
        purge_login_attempts_task()

    gone = MetaLoginAttempt.objects.get(state=abandoned_state)
    assert (gone.user_token, gone.page_tokens, gone.accounts) == (None, None, [])
    kept = MetaLoginAttempt.objects.get(state=live_state)
    assert kept.user_token and kept.page_tokens and kept.accounts  # a login in progress keeps its tokens


def test_a_failed_callback_spends_the_attempt_and_keeps_no_token(installed):
    browser = Client()
    dialog_url, state = _start(browser)
    callback = urlparse(consent(dialog_url, "continue"))
    bad_code = f"/meta/login/callback?state={state}&code=AQnotAcode"
    assert browser.get(bad_code).status_code == 400
    attempt = MetaLoginAttempt.objects.get(state=state)
    assert attempt.completed_at is not None and attempt.user_token is None
    assert browser.get(f"{callback.path}?{callback.query}").status_code == 400
