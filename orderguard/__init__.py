"""OrderGuard: finds Facebook/Instagram orders that never reached Shopify."""

# Importing the Celery app here binds @shared_task to it in every process (web, worker, beat).
from orderguard.celery import app as celery_app

__all__ = ["celery_app"]
