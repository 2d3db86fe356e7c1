"""Renew a lease in the background while its holder works, so the lease can be short.

A holder that dies stops renewing, and its lease expires within one lease length; a long but alive
holder keeps its lease however long the work takes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


@contextmanager
def renewing(*, every: timedelta, renew: Callable[[], bool]) -> Iterator[threading.Event]:
    """Call `renew()` every `every` until the block exits, or until `renew()` returns False (the lease
    was lost). Yields an event that is set once the lease is lost."""
    stop = threading.Event()
    lost = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every.total_seconds()):
                try:
                    kept = renew()
                except DatabaseError:  # a busy database: try again at the next beat, the lease still runs
                    logger.warning("Could not renew a lease; retrying", exc_info=True)
                    continue
                if not kept:
                    lost.set()
                    return
        finally:
            connections.close_all()  # this thread's own connections only

    thread = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join()
