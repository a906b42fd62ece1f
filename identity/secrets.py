"""Client secrets at rest: Fernet (AES-128-CBC with HMAC-SHA256, from
cryptography) under a key derived from SECRET_KEY. A secret encrypted under
a key in SECRET_KEY_FALLBACKS still decrypts, so SECRET_KEY can be rotated
the way Django rotates it; once the fallback is dropped, admins enter the
client secret again."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(f"procure.identity.client-secret:{secret_key}".encode())
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def secret_encrypt(plain: str) -> str:
    return _keys().encrypt(plain.encode()).decode()


def secret_decrypt(token: str) -> str | None:
    """The secret, or None when no key of this deployment can read it."""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
