"""House conventions for Celery tasks: stable names, a queue per kind of work, no results.

Tasks take ids (never model instances or secrets), re-read their rows, and are safe to run twice.
"""

from __future__ import annotations

from celery import shared_task

QUEUES = ("polling", "actions", "alerts", "default")


def orderguard_task(*, name: str, queue: str = "default", **options):
    if queue not in QUEUES:
        raise ValueError(f"Unknown queue {queue!r}; use one of {QUEUES}")
    return shared_task(name=name, queue=queue, ignore_result=True, **options)
