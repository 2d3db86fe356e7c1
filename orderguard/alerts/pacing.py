"""Per-destination send pacing: Slack takes about one message a second per webhook, Teams throttles above
four a second (platform-facts.md C1, C2). A counter per destination and second in the cache; a send over
the limit waits for the next second instead of earning a 429."""

from __future__ import annotations

import time

from django.core.cache import cache

PER_SECOND = {"slack": 1, "teams": 4, "webhook": 10, "email": 10}


def pace_allows(*, destination_id: int, kind: str, clock: float | None = None) -> bool:
    """Count this send in the current second; False when the destination's limit for it is used up."""
    second = int(clock if clock is not None else time.time())
    key = f"alerts:pace:{destination_id}:{second}"
    cache.add(key, 0, timeout=5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr: a fresh second
        cache.add(key, 1, timeout=5)
        used = 1
    return used <= PER_SECOND.get(kind, 1)
