"""Symmetric encryption for the few secrets Trace must keep (TOTP keys, account mails waiting in the
task queue): Fernet (AES-128-CBC with HMAC-SHA256) from the ``cryptography`` package.

The key comes from ``FIELD_ENCRYPTION_KEY`` (any string; set it in production and keep it out of the
database and its backups), else from ``SECRET_KEY``. Either way it is stretched with HKDF, so the
database, a backup of it, or the task queue alone reveal none of these secrets.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


@cache
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"trace field encryption").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _current() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY)


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _current().decrypt(token.encode()).decode()
