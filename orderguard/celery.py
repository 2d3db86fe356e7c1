"""The Celery app and its beat schedule (in code: reviewed in PRs, the same everywhere).

Each entry carries `expires` so a backlog never piles up duplicate periodic runs, and a why-comment.
Per-shop cadence lives in the dispatchers (rows with due times), not in beat.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderguard.settings")

app = Celery("orderguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each task declares its queue (polling, actions, alerts, default) in orderguard_task(); queues split work
# by kind so each can get its own workers.
app.conf.task_routes = ("orderguard.core.tasks.route_task",)

app.conf.beat_schedule = {
    # Re-enqueue webhook deliveries whose enqueue was lost (broker down at commit) or whose worker died
    # mid-way; the database row, not the broker, is the record of work. https://crontab.guru/#*/2_*_*_*_*
    "sweep-webhook-deliveries": {
        "task": "orderguard.shops.sweep_webhook_deliveries",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 110},
    },
}
