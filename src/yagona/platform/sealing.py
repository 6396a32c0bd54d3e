"""Sealing secrets at rest: AES-256-GCM under a key derived from `YAGONA_SECRET_KEY`.

Each purpose gets its own key (HKDF with the purpose as `info`), so a value sealed for
one purpose cannot be opened as another. Knows no domain: callers name the purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12


class SealError(Exception):
    """A sealed value was altered, or sealed under another key or purpose."""


def derive_key(secret: str, purpose: str) -> bytes:
    """32 bytes for `purpose`, derived from the deployment's secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"yagona", info=purpose.encode()).derive(secret.encode())


class Sealer:
    def __init__(self, secret: str, purpose: str) -> None:
        self._aead = AESGCM(derive_key(secret, f"seal:{purpose}"))
        self._purpose = purpose.encode()

    def seal(self, plaintext: bytes) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, self._purpose)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str) -> bytes:
        raw = base64.urlsafe_b64decode(sealed.encode())
        try:
            return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self._purpose)
        except Exception as error:  # cryptography raises InvalidTag
            raise SealError("the sealed value cannot be opened") from error


class Pepper:
    """A keyed hash (HMAC-SHA-256) for low-entropy secrets such as six-digit codes:
    without the key, a stolen table cannot be brute-forced offline."""

    def __init__(self, secret: str, purpose: str) -> None:
        self._key = derive_key(secret, f"pepper:{purpose}")

    def digest(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def matches(self, digest: str, *parts: str) -> bool:
        return hmac.compare_digest(digest, self.digest(*parts))
