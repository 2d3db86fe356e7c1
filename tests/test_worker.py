"""A real Celery worker process does a webhook's work.

The broker is Redis when REDIS_URL is set (CI), else the filesystem broker of the embedded default: either
way a separate worker process consumes what the web process enqueued on commit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from orderguard.sandbox.shopify import webhooks as sender
from orderguard.shops.models import Shop, WebhookDelivery
from tests.conftest import database_url
from tests.helpers import SHOP_A, make_sandbox_shop, open_app

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]


@pytest.fixture
def worker_process(app_server, tmp_path):
    env = {
        **os.environ,
        "ORDERGUARD_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "orderguard.test_settings",
        "DATABASE_URL": database_url("default"),
        "SANDBOX_DATABASE_URL": database_url("sandbox"),
    }
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "orderguard", "worker", "-Q", "default,polling,actions,alerts",
             "--pool", "solo", "--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
        try:
            yield process, log
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_webhook_recorded_by_the_web_process_is_processed_by_a_worker_process(client, worker_process):
    process, log = worker_process
    make_sandbox_shop(SHOP_A, name="Alpha Goods")
    assert open_app(client, SHOP_A).status_code == 200
    payload = {"id": 1, "previous": ["read_orders"], "current": ["read_orders", "read_products"], "updated_at": "2026-11-27T10:00:00Z"}

    response = sender.deliver(sender.sign(topic="app/scopes_update", shop_domain=SHOP_A, payload=payload))
    assert response.status_code == 200

    deadline = time.monotonic() + 60
    delivery = WebhookDelivery.objects.get(topic="app/scopes_update")
    while delivery.status != WebhookDelivery.Status.PROCESSED and time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        time.sleep(0.3)
        delivery.refresh_from_db()

    assert delivery.status == WebhookDelivery.Status.PROCESSED, log.read_text()
    assert delivery.outcome == "scopes updated"
    assert Shop.objects.get(domain=SHOP_A).scopes == "read_orders,read_products"
    broker = "redis" if settings.REDIS_URL else "filesystem"
    assert "orderguard.shops.process_webhook_delivery" in log.read_text(), broker
