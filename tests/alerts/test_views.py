"""The settings page's destinations section (htmx): add, send a test and see the answer, the policy,
broken status, remove; another shop's destination is a 404; bad input is a 400, never a 500."""

from __future__ import annotations

import pytest

from orderguard.alerts.models import AlertDestination
from tests.alerts.receivers import Answer
from tests.factories import make_shop
from tests.helpers import SHOP_A, bearer, open_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha(db):
    return make_shop(domain=SHOP_A)


def _post(client, path, data):
    return client.post(f"/app/alerts/destinations/{path}", data, headers=bearer())


def test_add_a_slack_destination_send_a_test_and_see_the_answer(client, alpha, slack_hook):
    response = _post(client, "add", {"kind": "slack", "label": "Ops", "target": slack_hook.url(), "role": "primary"})
    assert response.status_code == 200 and b"Ops" in response.content
    destination = AlertDestination.objects.get(shop=alpha)
    response = _post(client, f"{destination.pk}/test", {})
    assert response.status_code == 200
    assert b'data-testid="test-answer"' in response.content and b"HTTP 200" in response.content and b"<code>ok</code>" in response.content
    assert len(slack_hook.received) == 1


def test_a_refused_test_shows_the_answer_and_the_broken_status(client, alpha, slack_hook):
    _post(client, "add", {"kind": "slack", "label": "Ops", "target": slack_hook.url()})
    destination = AlertDestination.objects.get()
    slack_hook.answer(Answer(403, "invalid_token"))
    content = _post(client, f"{destination.pk}/test", {}).content.decode()
    assert "destination-broken" in content and "invalid_token: the webhook was revoked" in content


def test_a_signed_webhook_shows_its_secret_once(client, alpha, signed_hook):
    content = _post(client, "add", {"kind": "webhook", "target": signed_hook.url()}).content.decode()
    secret = AlertDestination.objects.get().signing_secret
    assert secret in content
    assert secret not in client.get("/app/alerts/destinations/", headers=bearer()).content.decode()


def test_the_policy_is_saved(client, alpha, slack_hook):
    _post(client, "add", {"kind": "slack", "target": slack_hook.url()})
    destination = AlertDestination.objects.get()
    response = _post(client, f"{destination.pk}/policy", {"hourly_cap": "3", "quiet_start": "22:00", "quiet_end": "07:00", "digest": "on", "digest_at": "08:30", "notify_new_orders": "on", "role": "primary"})
    assert response.status_code == 200
    destination.refresh_from_db()
    assert (destination.hourly_cap, str(destination.quiet_start), str(destination.quiet_end), str(destination.digest_at)) == (3, "22:00:00", "07:00:00", "08:30:00")
    assert destination.notify_new_orders and not destination.urgent_bypasses_quiet_hours
    assert _post(client, f"{destination.pk}/policy", {"hourly_cap": "0"}).status_code == 400
    assert _post(client, f"{destination.pk}/policy", {"quiet_start": "25:99"}).status_code == 400


@pytest.mark.parametrize("data", [{"kind": "pigeon", "target": "x"}, {"kind": "slack", "target": "https://example.com/hook"}, {"kind": "email", "target": "not an address"}, {}])
def test_bad_input_is_a_400(client, alpha, data):
    assert _post(client, "add", data).status_code == 400
    assert not AlertDestination.objects.exists()


def test_another_shops_destination_is_not_found_and_remove_works(client, alpha, slack_hook):
    other = make_shop(domain="beta-goods.myshopify.com", name="Beta")
    theirs = AlertDestination.objects.create(shop=other, kind="slack", label="theirs", target=slack_hook.url())
    for action in ("test", "policy", "remove"):
        assert _post(client, f"{theirs.pk}/{action}", {}).status_code == 404
    _post(client, "add", {"kind": "slack", "target": slack_hook.url()})
    mine = AlertDestination.objects.get(shop=alpha)
    assert _post(client, f"{mine.pk}/remove", {}).status_code == 200
    assert list(AlertDestination.objects.values_list("label", flat=True)) == ["theirs"]


def test_the_settings_page_includes_the_section(client, alpha):
    content = open_app(client, path="/app/settings/").content.decode()
    assert 'hx-get="/app/alerts/destinations/"' in content


def test_a_platform_notice_shows_on_the_page(client, alpha, settings):
    assert b"platform-notice" not in client.get("/app/alerts/destinations/", headers=bearer()).content
    settings.SHOPIFY_API_VERSION = "2020-01"
    content = client.get("/app/alerts/destinations/", headers=bearer()).content.decode()
    assert 'data-testid="platform-notice"' in content and "2020-01" in content
