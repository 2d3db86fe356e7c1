"""Settings for the test suite: the `test` profile of orderguard.settings, nothing more.

The port is where pytest's live server listens (tests/conftest.py hands it to pytest-django), so APP_URL
and the sandbox URLs point at it. Unless ORDERGUARD_PORT is set, a free port is picked once and exported,
so two test runs side by side never collide, and worker processes the tests start inherit the same one.
For the same reason each run keeps its state (the SQLite test databases, the broker folder) in a folder of
its own, unless ORDERGUARD_VAR_DIR is set; tests/conftest.py removes it when the run ends.
"""

import os
import socket
import tempfile


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


os.environ.setdefault("ORDERGUARD_ENV", "test")
os.environ.setdefault("ORDERGUARD_PORT", str(_free_port()))
if "ORDERGUARD_VAR_DIR" not in os.environ:
    os.environ["ORDERGUARD_VAR_DIR"] = TEST_RUN_VAR_DIR = tempfile.mkdtemp(prefix="orderguard-test-")

from orderguard.settings import *  # noqa: E402,F403
