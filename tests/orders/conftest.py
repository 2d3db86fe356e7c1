"""Kept only for tests/test_worker.py, which still imports these from here: once it uses the
`installed_shop` fixture (tests/conftest.py), delete this module."""

from __future__ import annotations

from orderguard.shops.models import Shop
from tests import factories
from tests.scenarios import BROKEN_CMS  # noqa: F401


def install_and_connect(client, scenario: str) -> Shop:
    return factories.install_and_connect(client=client, scenario=scenario).shop
