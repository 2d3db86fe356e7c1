"""Fixtures for the sandbox's own tests: the clock, the scenario loader and signed Graph API clients."""

from __future__ import annotations

import pytest
import time_machine

from orderguard.sandbox.scenarios import loader
from tests.sandbox.helpers import MANAGE_TOKEN, NOW, Graph


@pytest.fixture
def clock():
    """Time stands still at NOW until a test moves it (traveller.shift / move_to)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def load(clock):
    def _load(data: dict):
        return loader.load(data)

    return _load


@pytest.fixture
def graph(client):
    return Graph(client)


@pytest.fixture
def manage_graph(client):
    return Graph(client, MANAGE_TOKEN)
