"""Renew a lease in the background while its holder works, so the lease can be short.

A holder that dies stops renewing, and its lease expires within one lease length; a long but alive
holder keeps its lease however long the work takes. One daemon thread per process renews every live
lease, so a unit of work (a poll, a webhook delivery) costs no thread of its own: most finish long
before their first renewal is due.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


@contextmanager
def renewing(*, every: timedelta, renew: Callable[[], bool]) -> Iterator[threading.Event]:
    """Call `renew()` every `every` until the block exits, or until `renew()` returns False (the lease
    was lost). Yields an event that is set once the lease is lost. No renewal runs after the block exits."""
    entry = _Entry(every=every.total_seconds(), renew=renew)
    renewals = _process_renewals()
    key = renewals.add(entry)
    try:
        yield entry.lost
    finally:
        renewals.remove(key)


@dataclass
class _Entry:
    every: float
    renew: Callable[[], bool]
    lost: threading.Event = field(default_factory=threading.Event)
    next_at: float = 0.0

    def __post_init__(self) -> None:
        self.next_at = time.monotonic() + self.every


class _Renewals:
    """The process's live leases and the one thread that renews them when due."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._entries: dict[int, _Entry] = {}
        self._keys = itertools.count()
        self._busy = False  # a renewal round is running (outside the lock)
        threading.Thread(target=self._run, name="lease-renewals", daemon=True).start()

    def add(self, entry: _Entry) -> int:
        with self._changed:
            key = next(self._keys)
            self._entries[key] = entry
            self._changed.notify_all()
            return key

    def remove(self, key: int) -> None:
        with self._changed:
            self._entries.pop(key, None)
            while self._busy:  # a round in flight may still renew this lease: it ends first
                self._changed.wait()

    def _run(self) -> None:
        while True:
            due = self._wait_for_due()
            try:
                for key, entry in due:
                    self._beat(key, entry)
            finally:
                connections.close_all()  # this thread's own connections: none stays open between rounds
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()

    def _wait_for_due(self) -> list[tuple[int, _Entry]]:
        with self._changed:
            while True:
                now = time.monotonic()
                due = [(key, entry) for key, entry in self._entries.items() if entry.next_at <= now]
                if due:
                    self._busy = True
                    return due
                soonest = min((entry.next_at for entry in self._entries.values()), default=None)
                self._changed.wait(None if soonest is None else soonest - now)

    def _beat(self, key: int, entry: _Entry) -> None:
        entry.next_at = time.monotonic() + entry.every
        try:
            kept = entry.renew()
        except DatabaseError:  # a busy database: try again at the next beat, the lease still runs
            logger.warning("Could not renew a lease; retrying", exc_info=True)
            return
        except Exception:
            logger.exception("Renewing a lease failed; it will expire")
            kept = False
        if not kept:
            entry.lost.set()
            with self._changed:
                self._entries.pop(key, None)


_renewals: _Renewals | None = None
_renewals_pid: int | None = None
_renewals_lock = threading.Lock()


def _process_renewals() -> _Renewals:
    """The renewer of this process, started on first use (after a fork, the child starts its own)."""
    global _renewals, _renewals_pid
    with _renewals_lock:
        if _renewals is None or _renewals_pid != os.getpid():
            _renewals, _renewals_pid = _Renewals(), os.getpid()
        return _renewals
