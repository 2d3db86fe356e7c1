"""House conventions for Celery tasks: stable names, a queue per kind of work, no results.

Tasks take ids (never model instances or secrets), re-read their rows, and are safe to run twice. Each
task names its queue where it is defined; route_task (the app's router) sends it there.
"""

from __future__ import annotations

from celery import shared_task

# dispatch: the poll dispatcher alone (a tick must never wait behind polls); polling: the polls.
QUEUES = ("dispatch", "polling", "actions", "alerts", "default")

_queue_of_task: dict[str, str] = {}


def orderguard_task(*, name: str, queue: str = "default", **options):
    if queue not in QUEUES:
        raise ValueError(f"Unknown queue {queue!r}; use one of {QUEUES}")
    _queue_of_task[name] = queue
    return shared_task(name=name, ignore_result=True, **options)


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router: the queue a task declared in orderguard_task()."""
    queue = _queue_of_task.get(name)
    return {"queue": queue} if queue else None
