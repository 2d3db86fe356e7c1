"""Model field that stores text encrypted (see orderguard.core.crypto)."""

from __future__ import annotations

from django.db import models

from orderguard.core import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted at rest. Reading a row whose value cannot be decrypted raises TokenDecryptionError.

    Never filter or order on it: the stored value is randomised ciphertext.
    """

    description = "Text encrypted with the configured Fernet keys"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(value)


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every (model, field) pair that stores encrypted text, derived from the installed models."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
