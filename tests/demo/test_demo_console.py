"""The demo's console keeps to what a person needs: a child's output goes to its log file under var/log,
only its error lines reach the console, and none once the demo is stopping; the URL is printed last."""

from __future__ import annotations

import io
import subprocess
import sys
import threading

from django.test import override_settings

from orderguard.demo.management.commands import rundemo

NOISE = [
    " -------------- celery@host v5.5 (immunity)",
    "2026-12-01 22:57:24,928 WARNING kombu.connection No hostname was supplied. Reverting to default 'localhost'",
    "[2026-12-01 22:59:23,060: INFO/MainProcess] Task orderguard.orders.dispatch_due_polls[c1] succeeded in 0.04s: None",
    "[2026-12-01 23:00:08 +0000] [3246] [INFO] Listening at: http://127.0.0.1:18952 (3246)",
]
ERRORS = [
    "[2026-12-01 23:02:09,989: ERROR/MainProcess] Task orderguard.orders.poll_shop[1] raised unexpected: RuntimeError('x')",
    "2026-12-01 23:02:10,000 ERROR orderguard.orders.polling Poll of maple-and-moss.myshopify.com failed",
    "[2026-12-01 23:02:11 +0000] [3246] [ERROR] Worker (pid:3301) was sent SIGKILL!",
]


def _child(lines: list[str]) -> subprocess.Popen:
    script = "import sys\nfor line in sys.argv[1:]: print(line)"
    return subprocess.Popen([sys.executable, "-c", script, *lines], **rundemo.PIPED)


def _run(command, lines, tmp_path) -> str:
    with override_settings(VAR_DIR=tmp_path):
        command._follow(_child(lines), name="worker").wait(timeout=30)
        for thread in threading.enumerate():  # the copying thread ends with the child's output
            if thread.name == "rundemo-worker-log":
                thread.join(timeout=10)
    return (tmp_path / "log" / "worker.log").read_text()


def test_the_childs_output_goes_to_its_log_and_only_error_lines_reach_the_console(tmp_path):
    command = rundemo.Command(stdout=io.StringIO(), stderr=io.StringIO())
    log = _run(command, NOISE + ERRORS, tmp_path)
    assert log.splitlines() == NOISE + ERRORS
    console = command.stderr._out.getvalue().splitlines()
    assert [line.removeprefix("worker: ").split("  (details")[0] for line in console] == ERRORS
    assert all(str(tmp_path / "log" / "worker.log") in line for line in console)


def test_once_the_demo_stops_the_childrens_dying_words_stay_in_their_logs(tmp_path):
    command = rundemo.Command(stdout=io.StringIO(), stderr=io.StringIO())
    command._stop([])
    log = _run(command, ERRORS, tmp_path)
    assert log.splitlines() == ERRORS and command.stderr._out.getvalue() == ""


def test_the_summary_ends_with_the_url_and_names_the_commerce_account():
    command = rundemo.Command(stdout=io.StringIO(), stderr=io.StringIO())
    command._summary(shop_handle="maple-and-moss", cms_id="1054872930216647")
    lines = command.stdout._out.getvalue().strip().splitlines()
    assert "./og sandbox_meta 1054872930216647 --behaviour healthy" in "\n".join(lines)
    assert lines[-1].strip().startswith("Open the sandbox Shopify admin:") and lines[-1].rstrip().endswith("/apps/orderguard")
