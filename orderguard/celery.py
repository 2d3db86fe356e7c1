"""The Celery app and its beat schedule (in code: reviewed in PRs, the same everywhere).

Each entry carries `expires` so a backlog never piles up duplicate periodic runs, and a why-comment.
Per-shop cadence lives in the dispatchers (rows with due times), not in beat.
"""

from __future__ import annotations

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderguard.settings")

app = Celery("orderguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Buyer-data retention has a task module of its own (beside orders/tasks.py, which is about polling).
app.autodiscover_tasks(["orderguard.orders"], related_name="retention_tasks")

# Each task declares its queue (dispatch, polling, actions, alerts, default) in orderguard_task(); queues split work
# by kind so each can get its own workers.
app.conf.task_routes = ("orderguard.core.tasks.route_task",)

app.conf.beat_schedule = {
    # Claim every shop whose poll is due and fan out one task per shop. The claim moves each shop on from
    # its due time, so the tick only bounds the lag (not the interval); a short one keeps polls spread out.
    # The dispatcher has its own queue, so a tick never waits behind polls; one that still expires (no
    # dispatch worker for a whole tick) loses nothing: the next tick claims every shop due by then.
    "dispatch-due-polls": {
        "task": "orderguard.orders.dispatch_due_polls",
        "schedule": timedelta(seconds=settings.POLL_DISPATCH_SECONDS),
        "options": {"expires": settings.POLL_DISPATCH_SECONDS},
    },
    # Watch the watcher: flag shops whose last successful poll is older than three intervals. Once per
    # interval, so a shop is flagged within one interval after its third missed one.
    "flag-stale-pollers": {
        "task": "orderguard.orders.flag_stale_pollers",
        "schedule": timedelta(minutes=settings.POLL_INTERVAL_MINUTES),
        "options": {"expires": settings.POLL_INTERVAL_MINUTES * 60},
    },
    # Re-enqueue webhook deliveries whose enqueue was lost (broker down at commit) or whose worker died
    # mid-way (its lease expired); the database row, not the broker, is the record of work. Every minute,
    # so a dead worker's delivery is retried within lease + sweep (orderguard/core/durable.py).
    "sweep-webhook-deliveries": {
        "task": "orderguard.shops.sweep_webhook_deliveries",
        "schedule": timedelta(seconds=settings.DURABLE_SWEEP_SECONDS),
        "options": {"expires": settings.DURABLE_SWEEP_SECONDS},
    },
    # Re-run remedies whose enqueue was lost or whose worker died mid-action (lease expired): the outbox
    # row and its step, not the broker, are the record; the executor resumes without repeating a call.
    "sweep-remediation-actions": {
        "task": "orderguard.remediation.sweep_actions",
        "schedule": timedelta(seconds=settings.DURABLE_SWEEP_SECONDS),
        "options": {"expires": settings.DURABLE_SWEEP_SECONDS},
    },
    # Run the cheap health checks of shops polled since their last run, and each shop's full checks once a
    # day at its own minute (orderguard/health/schedule.py), so not all shops are checked at once.
    "dispatch-health-checks": {
        "task": "orderguard.health.dispatch_checks",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 290},
    },
    # Drop the user and Page tokens of Facebook Login attempts that are spent or have expired (a login
    # abandoned in its window would keep a 60-day user token). Attempts live 15 minutes.
    # https://crontab.guru/#*/15_*_*_*_*
    "purge-meta-login-attempts": {
        "task": "orderguard.meta_connections.purge_login_attempts",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 890},
    },
    # Erase the buyer data of orders done for longer than BUYER_DATA_RETENTION_DAYS. Daily is enough for a
    # period counted in days; off the hour, away from other jobs. https://crontab.guru/#17_3_*_*_*
    "expire-buyer-data": {
        "task": "orderguard.orders.expire_buyer_data",
        "schedule": crontab(minute=17, hour=3),
        "options": {"expires": 3600},
    },
    # Alerts learn of events by reading state (orderguard/alerts/evaluation.py): every minute, so a stuck
    # order is reported within a minute of the engine calling it stuck; dedupe keys make runs idempotent.
    "evaluate-alerts": {
        "task": "orderguard.alerts.evaluate_alerts",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 60},
    },
    # The channel heartbeat works on whole hours; a few minutes past, so the last hour is complete.
    # https://crontab.guru/#5_*_*_*_*
    "evaluate-heartbeats": {
        "task": "orderguard.alerts.evaluate_heartbeats",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
    # Send alert deliveries whose enqueue was lost, whose retry or hold (quiet hours, digest, cap) ended,
    # or whose worker died (lease expired): the row is the record, orderguard/core/durable.py.
    "sweep-alert-deliveries": {
        "task": "orderguard.alerts.sweep_alert_deliveries",
        "schedule": timedelta(seconds=settings.DURABLE_SWEEP_SECONDS),
        "options": {"expires": settings.DURABLE_SWEEP_SECONDS},
    },
}
