"""Settings for the test suite: the `test` profile of orderguard.settings, nothing more.

The port is where pytest's live server listens (tests/conftest.py hands it to pytest-django), so APP_URL
and the sandbox URLs point at it. Unless ORDERGUARD_PORT is set, a free port is picked once and exported,
so two test runs side by side never collide, and worker processes the tests start inherit the same one.
"""

import os
import socket


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


os.environ.setdefault("ORDERGUARD_ENV", "test")
os.environ.setdefault("ORDERGUARD_PORT", str(_free_port()))

from orderguard.settings import *  # noqa: E402,F403
