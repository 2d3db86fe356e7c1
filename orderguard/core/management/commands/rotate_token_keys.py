"""Re-encrypt every stored secret under the first key of TOKEN_ENCRYPTION_KEYS.

Rotation: put the new key first (TOKEN_ENCRYPTION_KEYS=new,old), deploy, run this command, then remove
the old key. A value that no configured key can decrypt stops the command with an error.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from orderguard.core.crypto import TokenDecryptionError
from orderguard.core.fields import encrypted_fields

BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Re-encrypt stored tokens with the newest key in TOKEN_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        total = 0
        for model, field in encrypted_fields():
            manager = model._base_manager
            pks = list(manager.exclude(**{f"{field.name}__isnull": True}).values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH_SIZE):
                batch = pks[start : start + BATCH_SIZE]
                try:
                    with transaction.atomic():
                        # Reading decrypts with any configured key; writing encrypts with the first.
                        for pk, plaintext in manager.select_for_update().filter(pk__in=batch).values_list("pk", field.name):
                            manager.filter(pk=pk).update(**{field.name: plaintext})
                            total += 1
                except TokenDecryptionError as error:
                    raise CommandError(f"{model._meta.label}.{field.name}: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} values with the newest key."))
