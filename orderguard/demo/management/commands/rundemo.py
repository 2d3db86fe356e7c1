"""Run OrderGuard on its embedded default: SQLite, a folder as the Celery broker, the sandbox platforms.

Loads the demo scenario into the sandbox (first run, or with --reset), starts the web server (app +
sandbox) and a Celery worker with an embedded beat, installs the app on the demo shop and connects its Meta
account through the real paths, prints the URL of the sandbox Shopify admin, and stops everything on
Ctrl-C. A worker that dies is restarted (its webhook deliveries and polls are picked up again by their
leases); the web server dying stops the demo. Safe to run again.

The console keeps to what a person needs: starting, restarts, errors, and the URL last. What the web
server and the worker print (Celery's banner, per-minute task lines, kombu's warnings) goes to
var/log/web.log and var/log/worker.log; their error lines are echoed to the console too.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from orderguard.meta_connections.models import MetaConnection
from orderguard.orders.schedule import poll_schedule_now
from orderguard.orders.tasks import poll_shop_task
from orderguard.demo.seed import DEMO_SHOP_DOMAIN, demo_app_forget, demo_install_and_connect, demo_load


# A worker that died sooner than this after starting is restarted only after this pause.
RESTART_BACKOFF_SECONDS = 5
# The children write to a pipe the demo copies into their log file (and their error lines to the console).
PIPED = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True, "bufsize": 1}
# Our log format ("... ERROR name message"), Celery's ("[...: ERROR/MainProcess] ...") and gunicorn's ("[ERROR]").
ERROR_LINE = re.compile(r"(?:^|[\s\[:])(ERROR|CRITICAL)[\]/\s]")


class Command(BaseCommand):
    help = "Run the demo: web + worker + beat + sandbox, with the demo shop installed and connected."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stopping = threading.Event()  # set once the demo stops: the children's dying words stay in their logs

    def add_arguments(self, parser):
        parser.add_argument("--no-worker", action="store_true", help="Start the web server only.")
        parser.add_argument("--reset", action="store_true", help="Load the demo scenario again (fresh orders).")

    def handle(self, *args, no_worker: bool, reset: bool, **options):
        if not settings.SANDBOX_ENABLED:
            raise CommandError("rundemo needs the sandbox (ORDERGUARD_ENV=demo).")
        for folder in (settings.VAR_DIR, settings.BROKER_FOLDER / "queue", settings.BROKER_FOLDER / "control"):
            folder.mkdir(parents=True, exist_ok=True)
        self._quiet_console_logging()
        self.stdout.write("Starting the OrderGuard demo…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("migrate", database="sandbox", interactive=False, verbosity=0)
        loaded = demo_load(reset=reset)
        if loaded is not None:
            demo_app_forget()  # the app's view of the demo shop starts again with the scenario
            self.stdout.write(f"Loaded the demo scenario: {loaded.name} ({loaded.shop}).")

        env = {**os.environ, "ORDERGUARD_ENV": settings.PROFILE}
        self.stdout.write(f"Starting the web server{'' if no_worker else ' and the worker'} (logs in {settings.VAR_DIR / 'log'}/)…")
        web = self._follow(self._start_web(env), name="web")
        worker = None if no_worker else self._follow(self._start_worker(env), name="worker")
        processes = [web] if worker is None else [web, worker]
        try:
            self._wait_for_web(web)
            shop = demo_install_and_connect()
        except BaseException:
            self._stop(processes)
            raise
        if loaded is not None or reset:
            poll_schedule_now(shop=shop)
            if not no_worker:
                poll_shop_task.delay(shop_id=shop.pk)  # the first poll now, not at the next beat tick
        self._summary(shop_handle=shop.handle, cms_id=MetaConnection.objects.get(shop=shop).commerce_account_id)
        self._wait(processes, env=env)

    def _summary(self, *, shop_handle: str, cms_id: str) -> None:
        """What a person needs to use the demo, the URL last so it stays in sight."""
        admin_url = settings.SANDBOX_ADMIN_URL + reverse("sandbox:admin-app", args=[DEMO_SHOP_DOMAIN.removesuffix(".myshopify.com")])
        self.stdout.write(
            f"\nOrderGuard demo is running. Stop with Ctrl-C.\n"
            f"  In another terminal:  ./og stuck_orders {shop_handle}   ./og poll_shop {shop_handle}\n"
            f"  Heal the channel:     ./og sandbox_meta {cms_id} --behaviour healthy   (the demo's commerce account)\n"
        )
        self.stdout.write(self.style.SUCCESS(f"  Open the sandbox Shopify admin:  {admin_url}"))

    @staticmethod
    def _quiet_console_logging() -> None:
        """This process's own INFO lines (installs, connections) stay off the console; warnings stay,
        except kombu's "No hostname was supplied" at each enqueue (the folder broker has no host)."""
        logging.getLogger("kombu.connection").setLevel(logging.ERROR)
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                handler.setLevel(logging.WARNING)

    @staticmethod
    def _log_path(name: str) -> Path:
        return settings.VAR_DIR / "log" / f"{name}.log"

    def _follow(self, process: subprocess.Popen, *, name: str) -> subprocess.Popen:
        """Copy the child's output into var/log/<name>.log, and its error lines to the console."""
        if process.stdout is None:
            return process
        path = self._log_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)

        def copy() -> None:
            with path.open("a", encoding="utf-8") as log:
                for line in process.stdout:
                    log.write(line)
                    log.flush()
                    if ERROR_LINE.search(line) and not self._stopping.is_set():  # not the children's ends
                        self.stderr.write(f"{name}: {line.rstrip()[:300]}  (details: {path})")

        threading.Thread(target=copy, name=f"rundemo-{name}-log", daemon=True).start()
        return process

    @staticmethod
    def _start_web(env: dict) -> subprocess.Popen:
        bind = f"127.0.0.1:{settings.ORDERGUARD_PORT}"
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "orderguard.wsgi", "--no-control-socket", "--bind", bind, "--workers", "2",
             "--threads", "8", "--timeout", "60", "--graceful-timeout", "5"],
            env=env, **PIPED,
        )

    @staticmethod
    def _start_worker(env: dict) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "orderguard", "worker", "--beat",
             "--schedule", str(settings.VAR_DIR / "celerybeat-schedule"),
             "-Q", "dispatch,polling,actions,alerts,default", "--concurrency", "2", "--loglevel", "INFO",
             "--without-mingle", "--without-gossip"],
            env=env, **PIPED,
        )

    def _wait_for_web(self, web: subprocess.Popen) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if web.poll() is not None:
                raise CommandError("The web server did not start (is the port taken? set ORDERGUARD_PORT).")
            try:
                if httpx.get(f"{settings.APP_URL}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise CommandError("The web server did not answer within a minute.")

    def _stop(self, processes: list[subprocess.Popen]) -> None:
        self._stopping.set()
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()

    def _wait(self, processes: list[subprocess.Popen], *, env: dict) -> None:
        """Until Ctrl-C or SIGTERM: restart a worker that dies; stop everything if the web server does."""

        def stop(*_):
            self._stop(processes)

        signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
        started = time.monotonic()
        try:
            while True:
                time.sleep(0.5)
                web, *worker = processes
                if web.poll() is not None:
                    self.stderr.write(f"The web server stopped unexpectedly (exit code {web.returncode}); stopping the demo.")
                    return
                if worker and worker[0].poll() is not None:
                    self.stderr.write(f"The worker stopped unexpectedly (exit code {worker[0].returncode}); restarting it.")
                    if time.monotonic() - started < RESTART_BACKOFF_SECONDS:
                        time.sleep(RESTART_BACKOFF_SECONDS)  # a worker that dies at start must not spin
                    processes[1] = self._follow(self._start_worker(env), name="worker")
                    self.stdout.write("The worker restarted.")
                    started = time.monotonic()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
