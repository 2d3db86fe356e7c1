"""A real Celery worker process does a webhook's work.

The broker is Redis when REDIS_URL is set (CI), else the filesystem broker of the embedded default: either
way a separate worker process consumes what the web process enqueued on commit.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from orderguard.core import durable
from orderguard.sandbox.models import SandboxShop, SandboxToken
from orderguard.sandbox.shopify import webhooks as sender
from orderguard.shops.models import OfflineToken, Shop, WebhookDelivery
from tests.helpers import database_url
from tests.helpers import SHOP_A, make_sandbox_shop, open_app

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]


@contextmanager
def celery_process(log: Path, *command: str, env: dict | None = None):
    """A real `celery` process (worker or beat) on this test run's databases and broker."""
    environment = {
        **os.environ,
        "ORDERGUARD_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "orderguard.test_settings",
        "DATABASE_URL": database_url("default"),
        "SANDBOX_DATABASE_URL": database_url("sandbox"),
        **(env or {}),
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "orderguard", *command, "--loglevel", "INFO"],
            cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def celery_worker(log: Path, *extra: str, env: dict | None = None):
    return celery_process(
        log, "worker", "-Q", "dispatch,default,polling,actions,alerts", "--without-mingle", "--without-gossip",
        "--without-heartbeat", *extra, env=env,
    )


def wait_for(condition, *, process, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.3)


@pytest.fixture
def worker_process(app_server, tmp_path):
    log = tmp_path / "worker.log"
    with celery_worker(log, "--pool", "solo") as process:
        yield process, log


def test_a_webhook_recorded_by_the_web_process_is_processed_by_a_worker_process(client, worker_process):
    process, log = worker_process
    make_sandbox_shop(SHOP_A, name="Alpha Goods")
    assert open_app(client, SHOP_A).status_code == 200
    payload = {"id": 1, "previous": ["read_orders"], "current": ["read_orders", "read_products"], "updated_at": "2026-11-27T10:00:00Z"}

    response = sender.deliver(sender.sign(topic="app/scopes_update", shop_domain=SHOP_A, payload=payload))
    assert response.status_code == 200

    deadline = time.monotonic() + 60
    delivery = WebhookDelivery.objects.get(topic="app/scopes_update")
    while delivery.status != WebhookDelivery.Status.DONE and time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        time.sleep(0.3)
        delivery.refresh_from_db()

    assert delivery.status == WebhookDelivery.Status.DONE, log.read_text()
    assert delivery.outcome == "scopes updated"
    assert Shop.objects.get(domain=SHOP_A).scopes == "read_orders,read_products"
    broker = "redis" if settings.REDIS_URL else "filesystem"
    assert "orderguard.shops.process_webhook_delivery" in log.read_text(), broker


def test_a_beat_dispatched_poll_in_a_real_worker_fills_the_database(client, app_server, tmp_path):
    from orderguard.orders.models import PollState, SocialOrder
    from tests.factories import install_and_connect

    shop = install_and_connect(client=client).shop
    log = tmp_path / "worker.log"
    # Embedded beat, dispatching every 2 s instead of every minute.
    with celery_worker(log, "--beat", "--schedule", str(tmp_path / "beat-schedule"), "--pool", "solo",
                       env={"POLL_DISPATCH_SECONDS": "2"}) as process:
        wait_for(lambda: PollState.objects.filter(shop=shop, last_success_at__isnull=False).exists(), process=process, log=log)

    assert SocialOrder.objects.filter(shop=shop).count() == 11
    assert SocialOrder.objects.filter(shop=shop, needs_action=True).count() == 5
    text = log.read_text()
    assert "orderguard.orders.dispatch_due_polls" in text and "orderguard.orders.poll_shop" in text


def test_two_dispatches_at_once_poll_a_shop_once(client, app_server, tmp_path):
    from orderguard.orders.tasks import poll_shop_task
    from orderguard.sandbox.meta import services as sandbox_meta
    from orderguard.sandbox.models import SandboxCall
    from tests.factories import install_and_connect
    from tests.scenarios import BROKEN_CMS

    shop = install_and_connect(client=client).shop
    sandbox_meta.inject_fault(BROKEN_CMS, "slow", seconds=3)  # the first poll is still running when the second starts
    log = tmp_path / "worker.log"
    with celery_worker(log, "--pool", "prefork", "--concurrency", "2") as process:
        poll_shop_task.delay(shop_id=shop.pk)
        poll_shop_task.delay(shop_id=shop.pk)
        wait_for(lambda: log.read_text().count("orderguard.orders.poll_shop[") >= 4 and log.read_text().count("succeeded") >= 2,
                 process=process, log=log)

    assert SandboxCall.objects.filter(platform="meta", operation__contains="commerce_orders").count() == 1


def test_a_webhook_whose_worker_is_killed_mid_way_is_completed_once_by_another_worker(client, app_server, tmp_path):
    lease, sweep = 2, 1  # seconds; production runs 60 and 60, so a dead worker's delivery is retried within 2 min
    env = {"DURABLE_LEASE_SECONDS": str(lease), "DURABLE_SWEEP_SECONDS": str(sweep)}
    make_sandbox_shop(SHOP_A, name="Alpha Goods")
    assert open_app(client, SHOP_A).status_code == 200
    # The merchant uninstalls; Shopify hangs on the handler's check of that, so the delivery's worker is
    # killed while the handler is running.
    SandboxShop.objects.filter(domain=SHOP_A).update(app_installed=False, faults={"graphql_slow": 1})
    SandboxToken.objects.filter(shop__domain=SHOP_A).update(revoked_at="2026-01-01T00:00:00Z")

    logs = {name: tmp_path / f"{name}.log" for name in ("one", "two", "beat")}
    with (
        celery_worker(logs["one"], "--pool", "solo", "-n", "one@%h", env=env) as one,
        celery_worker(logs["two"], "--pool", "solo", "-n", "two@%h", env=env) as two,
        celery_process(logs["beat"], "beat", "--schedule", str(tmp_path / "beat-schedule"), env=env) as beat,
    ):
        workers = {"one": one, "two": two}
        for name, process in workers.items():
            wait_for(lambda: "ready." in logs[name].read_text(), process=process, log=logs[name])

        assert sender.deliver(sender.sign(topic="app/uninstalled", shop_domain=SHOP_A, payload={"id": 1})).status_code == 200
        delivery = WebhookDelivery.objects.get(topic="app/uninstalled")
        wait_for(lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status=durable.DurableWork.Status.RUNNING).exists(),
                 process=beat, log=logs["beat"])
        victim = next(name for name in workers if "process_webhook_delivery[" in logs[name].read_text())
        survivor = next(name for name in workers if name != victim)
        running = WebhookDelivery.objects.get(pk=delivery.pk)

        # Alive past its lease, and swept every second meanwhile: the heartbeat keeps it from being taken.
        time.sleep(lease * 1.5)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.lease_owner) == ("running", 1, running.lease_owner)
        assert "sweep_webhook_deliveries" in logs[survivor].read_text() + logs[victim].read_text()

        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait(timeout=10)
        killed_at = time.monotonic()
        wait_for(lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status=durable.DurableWork.Status.DONE).exists(),
                 process=workers[survivor], log=logs[survivor])
        # Within the lease's expiry plus one sweep, with a margin for the broker's polling and the handler.
        assert time.monotonic() - killed_at < lease + sweep + 8, logs[survivor].read_text()
        time.sleep(sweep * 2)  # later sweeps leave a done delivery alone

    delivery.refresh_from_db()
    assert (delivery.status, delivery.outcome, delivery.attempts, delivery.payload) == ("done", "uninstalled", 2, {})
    finished = re.compile(r"process_webhook_delivery\[[^\]]+\] succeeded")
    assert finished.search(logs[survivor].read_text()) and not finished.search(logs[victim].read_text())
    shop = Shop.objects.get(domain=SHOP_A)
    assert shop.status == Shop.Status.UNINSTALLED and not OfflineToken.objects.filter(shop=shop).exists()


def test_a_poll_whose_worker_is_killed_mid_way_is_polled_again_within_an_interval_and_a_minute(client, app_server, tmp_path):
    from orderguard.orders.models import PollState
    from orderguard.orders.poll_state import LOCK_TTL
    from orderguard.sandbox.meta import services as sandbox_meta
    from tests.factories import install_and_connect
    from tests.scenarios import BROKEN_CMS

    interval = 60  # seconds: the shortest POLL_INTERVAL_MINUTES; beat dispatches every 2 s
    env = {"POLL_INTERVAL_MINUTES": "1", "POLL_DISPATCH_SECONDS": "2"}
    shop = install_and_connect(client=client).shop
    # The first poll hangs on Meta: 15 s on each of its two calls (orders, apps), under the client's timeout.
    sandbox_meta.inject_fault(BROKEN_CMS, "slow", seconds=15, times=2)
    logs = {name: tmp_path / f"{name}.log" for name in ("one", "two", "beat")}
    state = lambda: PollState.objects.get(shop=shop)  # noqa: E731

    with (
        celery_process(logs["beat"], "beat", "--schedule", str(tmp_path / "beat-schedule"), env=env) as beat,
        celery_worker(logs["one"], "--pool", "solo", "-n", "one@%h", env=env) as one,
    ):
        wait_for(lambda: PollState.objects.filter(shop=shop).exclude(lease_owner="").exists(), process=one, log=logs["one"])
        # Killed after the lease's first renewal, so the dead poll's lease outlives the next due time.
        time.sleep(LOCK_TTL.total_seconds() / 3 + 2)
        one.send_signal(signal.SIGKILL)
        one.wait(timeout=10)
        killed_at = time.monotonic()
        assert state().last_success_at is None and state().lease_owner, logs["one"].read_text()

        with celery_worker(logs["two"], "--pool", "threads", "--concurrency", "4", "-n", "two@%h", env=env) as two:
            wait_for(lambda: state().last_success_at is not None, process=two, log=logs["two"], seconds=interval + 90)
            polled_after = time.monotonic() - killed_at
        assert beat.poll() is None, logs["beat"].read_text()

    final = state()
    assert polled_after <= interval + 60 + 10, (polled_after, logs["two"].read_text())
    # The dispatch that met the dead poll's lease was recorded, not lost.
    assert final.skipped_polls >= 1 and final.last_skip_reason == "another poll of this shop is running", final.last_skip_reason
    assert final.lease_owner == "" and final.lease_expires_at is None and final.consecutive_failures == 0
