"""Settings for the test suite: the `test` profile of orderguard.settings, nothing more.

The port is where pytest's live server listens (pytest.ini: --liveserver=127.0.0.1:18765), so APP_URL and
the sandbox URLs point at it.
"""

import os

os.environ.setdefault("ORDERGUARD_ENV", "test")
os.environ.setdefault("ORDERGUARD_PORT", "18765")

from orderguard.settings import *  # noqa: E402,F403
