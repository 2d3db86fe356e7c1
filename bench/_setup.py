"""Shared set-up for the benchmarks: their own var folder and port (never the demo's), Django, servers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure(*, name: str, port: int, fresh: bool = True) -> Path:
    """Point Django at bench/<name> state (SQLite unless DATABASE_URL is set) and set it up."""
    var = ROOT / "var" / "bench" / name
    if fresh:
        shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "ORDERGUARD_ENV": "demo",
        "ORDERGUARD_PORT": str(port),
        "ORDERGUARD_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "orderguard.settings",
        "LOG_LEVEL": "WARNING",
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("migrate", database="sandbox", interactive=False, verbosity=0)
    return var


@contextmanager
def web_server(*, port: int, workers: int = 1, threads: int = 4):
    """gunicorn serving the app and the sandbox on the bench's state, in its own process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "orderguard.wsgi", "--no-control-socket", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"],
        cwd=ROOT, env=dict(os.environ),
    )
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the bench web server did not start")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextmanager
def count_queries():
    """Count SQL statements run on the app's database (every connection alias but the sandbox's)."""
    from django.db import connections

    counter = {"n": 0}

    def wrapper(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    wrapped = [alias for alias in connections if alias != "sandbox"]
    stack = [connections[alias].execute_wrapper(wrapper) for alias in wrapped]
    for manager in stack:
        manager.__enter__()
    try:
        yield counter
    finally:
        for manager in reversed(stack):
            manager.__exit__(None, None, None)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(int(round(fraction * (len(ordered) - 1))), len(ordered) - 1)
    return ordered[index]
