"""Encryption at rest for the most sensitive fields, and keyed hashes to find them.

- `EncryptedTextField` stores Fernet tokens (AES-128-CBC + HMAC) made with the newest key in
  FIELD_ENCRYPTION_KEYS and reads with any key in it, so keys rotate without downtime
  (`manage.py rotate_keys` re-encrypts every row with the newest key).
- `keyed_hash()` is an HMAC-SHA256 under PII_HASH_KEY: a stable, non-reversible lookup value, so
  a phone number can be found (inbound SMS) without storing it in plain text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


def _derived_dev_key(purpose: str) -> bytes:
    digest = hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS holds an invalid Fernet key: {exc}"
        ) from None


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        if not settings.DEBUG:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is required when DEBUG is off")
        keys = (_derived_dev_key("field-encryption").decode(),)
    return keys


def fernet() -> MultiFernet:
    return _fernet(_keys())


def encrypt(plaintext: str) -> str:
    return PREFIX + fernet().encrypt(plaintext.encode()).decode()


def encrypt_many(plaintexts: Sequence[str]) -> list[str]:
    """`encrypt` of each value, for bulk writes: one key set-up for the whole batch, then the
    cryptography library's own Fernet for every value (a fresh random IV each, newest key)."""
    newest = fernet()
    return [PREFIX + newest.encrypt(plaintext.encode()).decode() for plaintext in plaintexts]


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption was on; rotate_keys encrypts it
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS"
        ) from None


def keyed_hash(value: str) -> str:
    key = settings.PII_HASH_KEY
    if not key:
        if not settings.DEBUG:
            raise ImproperlyConfigured("PII_HASH_KEY is required when DEBUG is off")
        key = _derived_dev_key("pii-hash").decode()
    return hmac.digest(key.encode(), value.encode(), "sha256").hex()


class EncryptedTextField(models.TextField):
    """A text column whose database value is ciphertext. Cannot be filtered or ordered on."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertext is randomized, so only NULL checks can work in SQL.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted columns, and those columns' names."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found
