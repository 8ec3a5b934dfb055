"""Secrets at rest: tokens are encrypted with Fernet keys from the environment.

``GROUNDSWELL_ENCRYPTION_KEYS`` holds comma-separated Fernet keys, newest first. Encryption uses the first;
decryption tries each (MultiFernet), so a new key can be added in front and ``groundswell
rotate_encryption_key`` re-encrypts every stored secret with it, after which the old key can be dropped.
Without the variable, DEBUG installs derive a key from SECRET_KEY (never in production: settings refuse).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys: list[str] = list(getattr(settings, "ENCRYPTION_KEYS", []))
    if not keys:
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                "GROUNDSWELL_ENCRYPTION_KEYS must be set (generate one with `groundswell genkey`)"
            )
        derived = hashlib.sha256(b"groundswell-dev-encryption:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"GROUNDSWELL_ENCRYPTION_KEYS holds an invalid Fernet key: {exc}") from exc


def reset_keys() -> None:
    """Forget cached keys (after settings change, in tests and in the rotation command)."""
    _fernet.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("A stored secret cannot be decrypted with any configured key") from exc


def rotate(value: str) -> str:
    """Re-encrypt ``value`` (ciphertext) with the newest key."""
    return _fernet().rotate(value.encode()).decode() if value else ""


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column stored encrypted; Python code sees the plain text."""

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: object) -> object:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(str(value))
