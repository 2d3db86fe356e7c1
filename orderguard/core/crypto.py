"""Symmetric encryption of secrets at rest (Shopify and Meta tokens).

MultiFernet over the keys in TOKEN_ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so keys
rotate without downtime. Decryption failure raises: a wrong key must never hand ciphertext to a caller
that would use it as a token.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class TokenDecryptionError(Exception):
    """Stored ciphertext could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS must hold url-safe base64 Fernet keys (32 bytes each)."
        ) from None


def current_cipher() -> MultiFernet:
    return _multi_fernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return current_cipher().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return current_cipher().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenDecryptionError("A stored secret cannot be decrypted with the configured keys.") from None


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first (newest) key."""
    try:
        return current_cipher().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenDecryptionError("A stored secret cannot be decrypted with the configured keys.") from None
