"""WebhookDelivery takes its status, attempts and lease from core.durable.DurableWork.

received/processing/processed become pending/running/done; claimed_at becomes a lease expiry (the old
10-minute claim timeout), processed_at becomes finished_at, and available_at starts at received_at.
"""

from datetime import timedelta

import django.utils.timezone
from django.db import migrations, models

OLD_TIMEOUT = timedelta(minutes=10)
STATUSES = {"received": "pending", "processing": "running", "processed": "done", "failed": "failed"}


def forwards(apps, schema_editor):
    WebhookDelivery = apps.get_model("shops", "WebhookDelivery")
    for delivery in WebhookDelivery.objects.iterator():
        delivery.status = STATUSES.get(delivery.status, delivery.status)
        delivery.available_at = delivery.received_at
        if delivery.status == "running" and delivery.claimed_at:
            delivery.lease_expires_at = delivery.claimed_at + OLD_TIMEOUT
        delivery.save(update_fields=["status", "available_at", "lease_expires_at"])


def backwards(apps, schema_editor):
    WebhookDelivery = apps.get_model("shops", "WebhookDelivery")
    old = {new: old for old, new in STATUSES.items()}
    for delivery in WebhookDelivery.objects.iterator():
        delivery.status = old.get(delivery.status, delivery.status)
        if delivery.lease_expires_at:
            delivery.claimed_at = delivery.lease_expires_at - OLD_TIMEOUT
        delivery.save(update_fields=["status", "claimed_at"])


class Migration(migrations.Migration):
    dependencies = [("shops", "0001_initial")]

    operations = [
        migrations.RenameField("webhookdelivery", "processed_at", "finished_at"),
        migrations.AddField(
            "webhookdelivery", "available_at", models.DateTimeField(default=django.utils.timezone.now)
        ),
        migrations.AddField("webhookdelivery", "lease_owner", models.CharField(blank=True, max_length=32)),
        migrations.AddField("webhookdelivery", "lease_expires_at", models.DateTimeField(blank=True, null=True)),
        migrations.AlterField(
            "webhookdelivery",
            "status",
            models.CharField(
                choices=[("pending", "Pending"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
                db_index=True,
                default="pending",
                max_length=12,
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField("webhookdelivery", "claimed_at"),
    ]
