"""Suite-wide rules and fixtures.

- No test reaches the internet: sockets may connect to loopback addresses only.
- The sandbox platforms are reached over HTTP through pytest-django's live server, which listens where
  the test profile's APP_URL points (see pytest.ini and orderguard/test_settings.py).
"""

from __future__ import annotations

import ipaddress
import shutil
import socket

import pytest
from django.conf import settings

from tests.factories import InstalledShop, install_and_connect

# No network beyond this machine
# ------------------------------------------------------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(address) -> None:
    if not isinstance(address, tuple):
        return  # a Unix socket path
    host = address[0]
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ConnectionRefusedError(f"Tests never leave this machine: refused a connection to {address!r}")


def _guarded_connect(self, address):
    _loopback_only(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _loopback_only(address)
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


# Session set-up
# ------------------------------------------------------------------------------------------------------


def pytest_configure(config):
    """The live server listens on the test profile's port (orderguard/test_settings.py picks a free one)."""
    if not config.option.liveserver:
        config.option.liveserver = f"127.0.0.1:{settings.ORDERGUARD_PORT}"


# Test tiers: the slow ones are marked here, from what a test uses, so a new test lands in its tier
# without anyone remembering a marker. `make test-fast` runs what is left.
_SERVER_FIXTURES = {"live_server", "app_server"}


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return marker is not None and marker.kwargs.get("transaction", False)


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.path.name
        if module.startswith("test_browser_"):
            item.add_marker(pytest.mark.browser)
        if module == "test_worker.py":
            item.add_marker(pytest.mark.worker)
        if _SERVER_FIXTURES & set(item.fixturenames) or _is_transactional(item):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _fresh_broker_folder():
    """The filesystem broker of the test profile starts empty (no messages left from an earlier run), and
    this run's own state folder (orderguard/test_settings.py) goes when the run ends."""
    shutil.rmtree(settings.BROKER_FOLDER, ignore_errors=True)
    for name in ("queue", "control"):
        (settings.BROKER_FOLDER / name).mkdir(parents=True, exist_ok=True)
    yield
    if getattr(settings, "TEST_RUN_VAR_DIR", None):
        shutil.rmtree(settings.TEST_RUN_VAR_DIR, ignore_errors=True)


@pytest.fixture
def app_server(live_server):
    """The live server, checked to be where APP_URL (and so the sandbox base URLs) point."""
    assert live_server.url == settings.APP_URL, (live_server.url, settings.APP_URL)
    return live_server


@pytest.fixture
def installed_shop(request, client, app_server) -> InstalledShop:
    """A shop installed through the app and connected to its Meta commerce account, on a sandbox scenario
    (broken-channel unless the test says otherwise with the `installed_shop` marker, e.g.
    `@pytest.mark.installed_shop(connected=False)` or `(scenario=None)` for a bare Alpha Goods shop)."""
    marker = request.node.get_closest_marker("installed_shop")
    return install_and_connect(client=client, **(marker.kwargs if marker else {}))


def database_url(alias: str = "default") -> str:
    """A URL for the database this test run really uses (the test database), for worker processes."""
    from django.db import connections

    config = connections[alias].settings_dict
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{config['NAME']}"
    user = config.get("USER") or ""
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{config.get('HOST') or '127.0.0.1'}:{config.get('PORT') or 5432}/{config['NAME']}"
