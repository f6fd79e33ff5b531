"""Encryption at rest for secrets we must keep (useapi API tokens).

Fernet from `cryptography`, keyed by MOTIONHUB_ENCRYPTION_KEY. Without that setting a key is
derived from SECRET_KEY, so a fresh checkout works; a deployment sets its own key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class DecryptionError(Exception):
    """The stored secret cannot be read with the configured key."""


def _fernet() -> Fernet:
    key = settings.MOTIONHUB_ENCRYPTION_KEY
    if not key:
        digest = hashlib.sha256(f"motionhub-encryption:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise DecryptionError(
            "The stored API token cannot be decrypted: MOTIONHUB_ENCRYPTION_KEY changed. "
            "Enter the token again."
        ) from exc
