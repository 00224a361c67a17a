"""Secrets kept encrypted at rest (AES-256-GCM) under a key derived from the signing key.

Why: a database dump, a backup or a read-only SQL injection must not hand out the
secrets that let someone forge Centric's signatures (webhook signing secrets). The key
is derived (HKDF-SHA256) from :func:`centric.accounts.signing.signing_key` with a
purpose, so changing ``CENTRIC_SECRET_KEY`` makes sealed secrets unreadable: rotate
them after such a change.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "aesgcm1:"
_NONCE_BYTES = 12


class Unsealable(ValueError):
    """A sealed value that this key cannot open (another key, or changed text)."""


def _aead(signing_key: bytes, purpose: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"centric-seal:" + purpose.encode()).derive(
        signing_key)
    return AESGCM(key)


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(signing_key: bytes, purpose: str, plaintext: str) -> str:
    """``aesgcm1:<base64 nonce+ciphertext+tag>``; ``purpose`` is bound as associated data."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead(signing_key, purpose).encrypt(nonce, plaintext.encode(), purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(signing_key: bytes, purpose: str, value: str) -> str:
    """The plaintext of a :func:`seal` result; raises :class:`Unsealable` if it cannot be opened."""
    if not is_sealed(value):
        raise Unsealable("the value is not sealed")
    try:
        raw = base64.urlsafe_b64decode(value.removeprefix(PREFIX))
        return _aead(signing_key, purpose).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], purpose.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise Unsealable("the sealed value cannot be opened with this key (was CENTRIC_SECRET_KEY changed?)") from exc
