"""Secrets at rest: a model field encrypted with Fernet under FIELD_ENCRYPTION_KEY.

The database only ever holds the token (`fernet:...`); the clear value exists in
memory on the model instance. `mask_secret` is what the admin and the API show.
"""
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@functools.lru_cache(maxsize=4)
def _fernet(keys):
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not set: secrets cannot be stored. Generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        )
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",")])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY is not a valid Fernet key: {exc}") from None


def secret_encrypt(value):
    """Encrypt a clear text; the first key of FIELD_ENCRYPTION_KEY (comma-separated) encrypts."""
    return PREFIX + _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def secret_decrypt(token):
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY.") from None


def mask_secret(value):
    """What a person may see of a secret: nothing but its length class and last 4 characters."""
    if not value:
        return ""
    if len(value) <= 8:
        return "••••"
    return "••••" + value[-4:]


class EncryptedTextField(models.TextField):
    """A text field whose value is Fernet-encrypted in the database."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        if value.startswith(PREFIX):
            return secret_decrypt(value)
        return value

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(PREFIX):
            return secret_decrypt(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return secret_encrypt(value)
