from __future__ import annotations

import pytest
from django.core.cache import cache

from orderguard.shops.models import Shop
from tests.alerts.receivers import slack_receiver, teams_receiver, webhook_receiver


@pytest.fixture
def shop(db):
    return Shop.objects.create(domain="alpha-goods.myshopify.com", name="Alpha Goods", currency_code="EUR", iana_timezone="Europe/Amsterdam")


@pytest.fixture
def slack_hook():
    with slack_receiver() as receiver:
        yield receiver


@pytest.fixture
def teams_hook():
    with teams_receiver() as receiver:
        yield receiver


@pytest.fixture
def signed_hook():
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def fresh_pacing():
    """Send pacing counts per destination id in the cache; ids repeat across tests."""
    cache.clear()
