"""Run OrderGuard on its embedded default: SQLite, a folder as the Celery broker, the sandbox platforms.

Starts the web server (app + sandbox), a Celery worker with an embedded beat, prints the URL of the
sandbox Shopify admin, and stops everything on Ctrl-C. Safe to run again: migrations and seeding are
idempotent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from orderguard.sandbox.seed import seed_demo


class Command(BaseCommand):
    help = "Run the demo: web + worker + beat + sandbox, with a seeded demo shop."

    def add_arguments(self, parser):
        parser.add_argument("--no-worker", action="store_true", help="Start the web server only.")

    def handle(self, *args, no_worker: bool, **options):
        if not settings.SANDBOX_ENABLED:
            raise CommandError("rundemo needs the sandbox (ORDERGUARD_ENV=demo).")
        for folder in (settings.VAR_DIR, settings.BROKER_FOLDER / "queue", settings.BROKER_FOLDER / "control"):
            folder.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("migrate", database="sandbox", interactive=False, verbosity=0)
        shop = seed_demo()

        env = {**os.environ, "ORDERGUARD_ENV": settings.PROFILE}
        bind = f"127.0.0.1:{settings.ORDERGUARD_PORT}"
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "orderguard.wsgi", "--bind", bind, "--workers", "2",
                 "--threads", "8", "--timeout", "60", "--graceful-timeout", "5"],
                env=env,
            )
        ]
        if not no_worker:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "orderguard", "worker", "--beat",
                 "--schedule", str(settings.VAR_DIR / "celerybeat-schedule"),
                 "-Q", "polling,actions,alerts,default", "--concurrency", "2", "--loglevel", "INFO",
                 "--without-mingle", "--without-gossip"],
                env=env,
            ))
        admin_url = settings.SANDBOX_ADMIN_URL + reverse("sandbox:admin-app", args=[shop.handle])
        self.stdout.write(self.style.SUCCESS(
            f"\nOrderGuard demo is running.\n\n  Open the sandbox Shopify admin:  {admin_url}\n\n"
            "  Stop with Ctrl-C.\n"
        ))
        self._wait(processes)

    def _wait(self, processes: list[subprocess.Popen]) -> None:
        def stop(*_):
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            deadline = time.monotonic() + 10
            for process in processes:
                try:
                    process.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    process.kill()

        signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
            failed = [process.args[2] for process in processes if process.poll() not in (None, 0)]
            if failed:
                self.stderr.write(f"A demo process stopped unexpectedly: {', '.join(map(str, failed))}")
        except KeyboardInterrupt:
            pass
        finally:
            stop()
