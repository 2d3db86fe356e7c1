"""Which function carries out each kind of action. An executor gets a claimed action and returns when the
action reached a final step or a wait for the merchant; it raises only for a retryable failure.

The executors of each kind register themselves here (remediation/apology_send.py,
remediation/cancel_and_link.py), imported below so the registry is complete once the app is ready.
"""

from __future__ import annotations

from collections.abc import Callable

from orderguard.remediation.models import RemediationAction

Executor = Callable[[RemediationAction], None]
EXECUTORS: dict[str, Executor] = {}


def executor(kind: str) -> Callable[[Executor], Executor]:
    def register(fn: Executor) -> Executor:
        EXECUTORS[kind] = fn
        return fn

    return register


# The executors register themselves on import.
from orderguard.remediation import apology_send, cancel_and_link  # noqa: E402,F401
