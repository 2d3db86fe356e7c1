"""Celery entry points for Meta connections."""

from __future__ import annotations

import logging

from orderguard.core.tasks import orderguard_task
from orderguard.meta_connections import login

logger = logging.getLogger(__name__)


@orderguard_task(name="orderguard.meta_connections.purge_login_attempts")
def purge_login_attempts_task() -> None:
    purged = login.meta_login_attempts_purge()
    if purged:
        logger.info("Dropped the tokens of %d spent or expired Facebook Login attempts", purged)
