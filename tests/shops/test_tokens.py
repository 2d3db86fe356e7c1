"""Offline tokens: encrypted at rest, rotated keys, refresh serialised per shop, refused refresh."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from orderguard.core.crypto import TokenDecryptionError
from orderguard.sandbox.models import SandboxToken
from orderguard.shops.models import OfflineToken, Shop
from tests.helpers import SHOP_A, bearer, open_app, sandbox_calls

pytestmark = [pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]), pytest.mark.installed_shop(scenario=None)]


def _raw_token_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM shops_offlinetoken")
        return cursor.fetchall()


def test_the_database_never_holds_a_token_in_clear_text(installed_shop):
    issued = {token.value for token in SandboxToken.objects.all()}
    rows = _raw_token_columns()

    assert rows
    for access, refresh in rows:
        for stored in (access, refresh):
            assert not stored.startswith(("shpat_", "shprt_"))
            assert stored not in issued
            assert all(value not in stored for value in issued)
    token = OfflineToken.objects.get(shop=installed_shop.shop)
    assert token.access_token in issued and token.refresh_token in issued


def test_a_wrong_key_fails_closed(installed_shop, client, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(TokenDecryptionError):
        OfflineToken.objects.get(shop=installed_shop.shop)

    graphql_calls = sandbox_calls("graphql:OrderGuardShopDetails")
    response = client.post("/app/shop/sync", headers=bearer(SHOP_A))

    assert response.status_code == 409
    assert sandbox_calls("graphql:OrderGuardShopDetails") == graphql_calls  # no ciphertext sent as a token


def test_keys_rotate_without_losing_a_token(installed_shop, settings):
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    before = OfflineToken.objects.get(shop=installed_shop.shop).access_token
    new_key = Fernet.generate_key().decode()

    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_token_keys", stdout=open("/dev/null", "w"))
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]

    assert OfflineToken.objects.get(shop=installed_shop.shop).access_token == before
    settings.TOKEN_ENCRYPTION_KEYS = [old_key]
    with pytest.raises(TokenDecryptionError):
        OfflineToken.objects.get(shop=installed_shop.shop)


def test_ten_concurrent_requests_with_an_expired_token_refresh_once(installed_shop):
    OfflineToken.objects.filter(shop=installed_shop.shop).update(expires_at=timezone.now() - timedelta(minutes=1))
    refreshes_before = sandbox_calls("refresh_token", SHOP_A)
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def request() -> None:
        headers = bearer(SHOP_A)
        barrier.wait()
        statuses.append(httpx.post(f"{settings.APP_URL}/app/shop/sync", headers=headers, timeout=60).status_code)

    threads = [threading.Thread(target=request) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 10
    assert sandbox_calls("refresh_token", SHOP_A) == refreshes_before + 1
    latest = SandboxToken.objects.filter(kind="access").order_by("-created_at").first()
    stored = OfflineToken.objects.get(shop=installed_shop.shop)
    assert stored.access_token == latest.value
    assert stored.expires_at > timezone.now() + timedelta(minutes=55)


def test_a_refused_refresh_token_asks_the_merchant_to_reopen_the_app_which_fixes_it(installed_shop, client):
    OfflineToken.objects.filter(shop=installed_shop.shop).update(expires_at=timezone.now() - timedelta(minutes=1))
    SandboxToken.objects.update(revoked_at=timezone.now())

    response = client.post("/app/shop/sync", headers=bearer(SHOP_A))

    assert response.status_code == 409
    assert b"Reopen the app" in response.content
    assert Shop.objects.get(pk=installed_shop.shop.pk).status == Shop.Status.NEEDS_REAUTH

    assert open_app(client, SHOP_A).status_code == 200  # the merchant reopens: token exchange again
    assert Shop.objects.get(pk=installed_shop.shop.pk).status == Shop.Status.ACTIVE
    assert client.post("/app/shop/sync", headers=bearer(SHOP_A)).status_code == 200
