"""Keyed pseudonyms: the one de-identification of Yagona (seed 003, 12 permits research on
de-identified data). A pseudonym is stable (the same value always gives the same one, so
rows can still be joined) and keyed (HMAC-SHA-256 under a key derived from the operator's
secret), so nobody without the key can recompute it from a phone number or a name.

The analytics export and erasure both use it; `kind` keeps a phone's pseudonym apart from a
customer id's even when the two strings are equal.
"""

from __future__ import annotations

from yagona.platform.sealing import Pepper

_PURPOSE = "privacy:pseudonym"
PSEUDONYM_LENGTH = 20  # hex characters: 80 bits, no collision among billions of values

_peppers: list[Pepper] = []


def configure(*, secret_key: str) -> None:
    """The composition root hands in the operator's secret; the key never leaves the process."""
    _peppers[:] = [Pepper(secret_key, _PURPOSE)]


def pseudonym(value: str, *, kind: str) -> str:
    """The stable pseudonym of `value` (a phone, a customer id, a name) of `kind`."""
    if not _peppers:
        raise RuntimeError("privacy.service.configure was not called")
    return f"{kind[:1]}_{_peppers[0].digest(kind, value)[:PSEUDONYM_LENGTH]}"
