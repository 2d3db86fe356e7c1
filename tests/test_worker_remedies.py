"""A real worker process killed with SIGKILL right after its cancel reached (the local) Meta: another
worker, handed the action by the sweeper, completes it with the same idempotency key, and no second
cancel, draft order or invoice email happens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from orderguard.remediation.models import RemediationAction
from orderguard.sandbox.meta import services as sandbox_meta
from orderguard.sandbox.meta.models import MetaOrder
from orderguard.sandbox.models import SandboxShop
from tests.helpers import database_url
from tests.remedies import ONE_ITEM, seen, start, stuck_shop

ROOT = Path(__file__).resolve().parents[1]
Step = RemediationAction.Step

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])]


@contextmanager
def celery_process(log: Path, *command: str, env: dict):
    environment = {
        **os.environ, "ORDERGUARD_ENV": "test", "DJANGO_SETTINGS_MODULE": "orderguard.test_settings",
        "DATABASE_URL": database_url("default"), "SANDBOX_DATABASE_URL": database_url("sandbox"), **env,
    }
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "orderguard", *command, "--loglevel", "INFO"],
                                   cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def worker(log: Path, name: str, env: dict):
    return celery_process(log, "worker", "-Q", "actions", "--pool", "solo", "-n", f"{name}@%h", "--without-mingle",
                          "--without-gossip", "--without-heartbeat", env=env)


def wait_for(condition, *, process, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def _step(action) -> str:
    return RemediationAction.objects.filter(pk=action.pk).values_list("step", flat=True).get()


def test_a_worker_killed_after_the_cancel_reached_meta_leaves_the_rest_to_another_worker_once(client, app_server, tmp_path):
    env = {"DURABLE_LEASE_SECONDS": "2", "DURABLE_SWEEP_SECONDS": "1"}
    stuck = stuck_shop(client=client)
    # Meta answers the read and the cancel 2 s late, so the test sees CANCELLING before Meta cancels.
    sandbox_meta.inject_fault(stuck.commerce_account_id, "slow", seconds=2, times=2)
    logs = {name: tmp_path / f"{name}.log" for name in ("one", "two", "beat")}

    with worker(logs["one"], "one", env) as one:
        wait_for(lambda: "ready." in logs["one"].read_text(), process=one, log=logs["one"])
        action = start(stuck)  # enqueued on commit: worker one takes it
        wait_for(lambda: _step(action) == Step.CANCELLING, process=one, log=logs["one"])
        # The first Shopify call after the cancel (the draft lookup) hangs: the worker dies right there.
        SandboxShop.objects.filter(pk=stuck.sandbox_shop.pk).update(faults={"graphql_slow": 1})
        wait_for(lambda: bool(MetaOrder.objects.get(pk=ONE_ITEM).cancellations), process=one, log=logs["one"])
        wait_for(lambda: _step(action) == Step.LINKING, process=one, log=logs["one"])
        one.send_signal(signal.SIGKILL)
        one.wait(timeout=10)
    assert seen() == (1, 1, 0, 0)
    running = RemediationAction.objects.get(pk=action.pk)
    assert (running.status, running.attempts) == ("running", 1)

    with (
        worker(logs["two"], "two", env) as two,
        celery_process(logs["beat"], "beat", "--schedule", str(tmp_path / "beat-schedule"), env=env),
    ):
        wait_for(lambda: _step(action) == Step.DONE, process=two, log=logs["two"])

    finished = RemediationAction.objects.get(pk=action.pk)
    assert finished.idempotency_key == running.idempotency_key and finished.attempts == 2
    assert finished.result["draft_order_id"] and finished.result["invoice_sent_at"]
    assert seen() == (1, 1, 1, 1)
    assert "orderguard.remediation.run_action" in logs["two"].read_text()
