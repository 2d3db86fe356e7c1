"""rundemo keeps the demo up: a worker that dies is restarted, the web server keeps serving."""

from __future__ import annotations

import io
import signal
import subprocess
import threading

import pytest

from orderguard.demo.management.commands import rundemo


@pytest.fixture
def sigterm_restored():
    previous = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, previous)


def test_a_dead_worker_is_said_and_restarted_while_the_web_server_keeps_running(monkeypatch, sigterm_restored):
    monkeypatch.setattr(rundemo, "RESTART_BACKOFF_SECONDS", 0)
    web = subprocess.Popen(["sleep", "60"])
    dead = subprocess.Popen(["sh", "-c", "exit 3"])  # a worker killed (or crashed) under the demo
    dead.wait()
    restarted: list[subprocess.Popen] = []

    def start_worker(env):
        restarted.append(subprocess.Popen(["sleep", "60"]))
        threading.Timer(1.5, web.kill).start()  # then end the demo by losing the web server
        return restarted[-1]

    command = rundemo.Command(stdout=io.StringIO(), stderr=io.StringIO())
    monkeypatch.setattr(command, "_start_worker", start_worker)
    command._wait([web, dead], env={})

    errors = command.stderr._out.getvalue()
    assert "The worker stopped unexpectedly (exit code 3); restarting it." in errors
    assert len(restarted) == 1
    assert "The web server stopped unexpectedly (exit code -9); stopping the demo." in errors
    assert restarted[0].poll() is not None  # stopping the demo stopped the restarted worker too
