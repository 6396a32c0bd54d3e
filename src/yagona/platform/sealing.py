"""Sealing secrets at rest: AES-256-GCM under a key derived from `YAGONA_SECRET_KEY`.

Each purpose gets its own key (HKDF with the purpose as `info`), so a value sealed for
one purpose cannot be opened as another. Knows no domain: callers name the purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from datetime import date

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

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


# --- field-level encryption of the most sensitive personal fields (seed 003, 16) -----------

_FIELD_PREFIX = "$f$"  # `$f$<key id>$<AES-GCM token>`: which key sealed it, so keys can rotate
_KEY_ID = re.compile(r"[a-z0-9]{1,8}")


class KeyRing:
    """The keys of sealed columns by id; the first is the current one (it seals), the others
    only open what they sealed until `yagona privacy rotate-keys` re-seals it under the
    current one. A value without the prefix is a row from before sealing: read as it is."""

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        for kid, _ in keys:
            if not _KEY_ID.fullmatch(kid):
                raise ValueError(f"a field key id is 1-8 lowercase letters or digits, not {kid!r}")
        self.current = keys[0][0]
        self._sealers = {kid: Sealer(secret, f"field:{kid}") for kid, secret in keys}
        self._peppers = {kid: Pepper(secret, f"lookup:{kid}") for kid, secret in keys}

    @classmethod
    def parse(cls, spec: str | None, *, fallback_secret: str) -> KeyRing:
        """`k2:secret2,k1:secret1` (the first is current); none: one key `k1` from the secret."""
        if not spec:
            return cls([("k1", fallback_secret)])
        pairs = [item.strip().split(":", 1) for item in spec.split(",") if item.strip()]
        if any(len(pair) != 2 or not pair[1] for pair in pairs):
            raise ValueError("YAGONA_FIELD_KEYS is `id:secret,id:secret` (the first seals)")
        return cls([(kid, secret) for kid, secret in pairs])

    def seal(self, text: str) -> str:
        return f"{_FIELD_PREFIX}{self.current}${self._sealers[self.current].seal(text.encode())}"

    def open(self, stored: str) -> str:
        if not stored.startswith(_FIELD_PREFIX):
            return stored  # written before the column was sealed
        kid, _, token = stored[len(_FIELD_PREFIX) :].partition("$")
        sealer = self._sealers.get(kid)
        if sealer is None:
            raise SealError(f"no field key {kid!r} in YAGONA_FIELD_KEYS")
        return sealer.open(token).decode()

    def is_current(self, stored: str) -> bool:
        return stored.startswith(f"{_FIELD_PREFIX}{self.current}$")

    # A sealed column cannot be compared in SQL; its lookup column holds a keyed hash
    # (HMAC-SHA-256, `<key id>$<hex>`, 73 characters at most) under a key derived from the
    # same field key: equal values, equal hashes, and without the key the digits of a
    # 14-digit PINFL cannot be tried offline. The current key writes; every key finds, so
    # lookups keep working between a new key put first and `rotate-keys` recomputing them.

    def lookup(self, purpose: str, text: str) -> str:
        """The keyed hash of `text` for `purpose` (`table.column`) under the current key."""
        return f"{self.current}${self._peppers[self.current].digest(purpose, text)}"

    def lookups(self, purpose: str, text: str) -> list[str]:
        """The hash under every key of the ring (the current first): what a lookup matches."""
        return [f"{kid}${pepper.digest(purpose, text)}" for kid, pepper in self._peppers.items()]

    def lookup_is_current(self, stored: str) -> bool:
        return stored.startswith(f"{self.current}$")


_ring: list[KeyRing] = []


def configure_field_keys(ring: KeyRing) -> None:
    """The composition root hands in the key ring once; the sealed column types use it."""
    _ring[:] = [ring]


def field_keys() -> KeyRing:
    if not _ring:
        raise RuntimeError("yagona.platform.sealing.configure_field_keys was not called")
    return _ring[0]


class SealedText(TypeDecorator[str]):
    """A text column stored sealed (AES-256-GCM, the key's id in front). Equality in SQL
    cannot work on it (each seal differs): look such a column up by another key."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else field_keys().seal(str(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else field_keys().open(value)


class SealedDate(TypeDecorator[date]):
    """A date column stored sealed (its ISO form), read back as a date."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: Dialect) -> str | None:
        return None if value is None else field_keys().seal(value.isoformat())

    def process_result_value(self, value: str | None, dialect: Dialect) -> date | None:
        return None if value is None else date.fromisoformat(field_keys().open(value)[:10])
