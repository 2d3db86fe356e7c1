"""Suite-wide rules and fixtures.

- No test reaches the internet: sockets may connect to loopback addresses only.
- The sandbox platforms are reached over HTTP through pytest-django's live server, which listens where
  the test profile's APP_URL points (see pytest.ini and orderguard/test_settings.py).
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.factories import InstalledShop, install_and_connect, make_meta_connection, make_poll_state, make_shop, make_social_order
from tests.helpers import SHOP_A, SHOP_B, broker_queues_emptied

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


@pytest.fixture(autouse=True)
def _empty_broker_queues_for_worker_tests(request):
    """A task an earlier test left on the broker (Redis outlives a test) would reach the worker processes a
    `worker` test starts and blur what their logs show; those tests start on empty queues."""
    if request.node.get_closest_marker("worker"):
        broker_queues_emptied()


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


# A shop with social orders of every status, written straight to the database (the orders page renders
# from the database only), and a second shop's order that must never show.
@pytest.fixture
def shop_with_orders(db):
    shop = make_shop(domain=SHOP_A, name="Alpha Goods")
    make_meta_connection(shop=shop, commerce_account_name="Alpha on Meta")
    make_poll_state(shop=shop, last_success_at=timezone.now() - timedelta(minutes=2))

    def order(meta_order_id, **fields):
        return make_social_order(shop=shop, meta_order_id=meta_order_id, **fields)

    orders = {
        "missing": order("1000000000000001", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=5), amount="120.00", buyer="Marcus Bell"),
        "imported": order("1000000000000002", status="imported_not_acknowledged", reason="imported_not_acknowledged", age=timedelta(days=2), amount="80.50",
                          channel="instagram", buyer="Priya Shah", shopify_order_id="gid://shopify/Order/5001", shopify_order_name="#1042", shopify_matched_field="source_identifier"),
        "stuck_review": order("1000000000000003", status="stuck_processing", reason="review_over_24h", age=timedelta(hours=30), amount="45.00",
                              meta_state="FB_PROCESSING", buyer="Jonas Berg", currency="EUR"),
        "processing": order("1000000000000004", status="processing", reason="meta_reviewing", age=timedelta(minutes=10), meta_state="FB_PROCESSING"),
        "resolved": order("1000000000000005", status="resolved", reason="acknowledged", age=timedelta(days=3), meta_state="IN_PROGRESS",
                          resolved_at=timezone.now() - timedelta(days=2)),
        "fine": order("1000000000000006", status="fine", reason="completed", age=timedelta(days=6), meta_state="COMPLETED", deadline_at=None),
    }
    other = make_shop(domain=SHOP_B, name="Bravo Supply")
    make_social_order(shop=other, meta_order_id="2000000000000001", status="missing_from_shopify", reason="not_in_shopify", age=timedelta(hours=4), buyer="Bravo Secret")
    return shop, orders
