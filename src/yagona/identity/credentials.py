"""Hashing and random secrets. Passwords and PINs: Argon2id (OWASP parameters or
stronger). Random tokens (sessions, codes, refresh tokens, client secrets) carry 256
bits, so SHA-256 of them is enough; six-digit codes are keyed (see `Pepper`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class PasswordHashing:
    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, hash_len=32, salt_len=16, type=Type.ID
        )
        # Verified when the account does not exist, so an unknown phone costs the same time.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, secret: str) -> str:
        return self._hasher.hash(secret)

    def verify(self, stored: str | None, secret: str) -> bool:
        try:
            return self._hasher.verify(stored or self._decoy, secret) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
