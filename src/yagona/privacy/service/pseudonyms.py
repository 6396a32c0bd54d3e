"""Keyed pseudonyms: the one de-identification of Yagona (seed 003, 12 permits research on
de-identified data). A pseudonym is stable (the same value always gives the same one, so
rows can still be joined) and keyed (HMAC-SHA-256 under a key derived from the operator's
secret), so nobody without the key can recompute it from a phone number or a name.

The analytics export and erasure both use it; `kind` keeps a phone's pseudonym apart from a
customer id's even when the two strings are equal.
"""

from __future__ import annotations

import base64

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


SHORT_LENGTH = 12  # fits a phone column (String(12)): the kind's letter, "_", 10 base-32 characters


def short_pseudonym(value: str, *, kind: str) -> str:
    """The same keyed pseudonym in 12 characters (50 bits) for columns sized for a phone
    number: a phone is replaced in place (primary keys, ledger codes) by `p_` and 10 letters
    and digits, which no real number looks like."""
    if not _peppers:
        raise RuntimeError("privacy.service.configure was not called")
    raw = bytes.fromhex(_peppers[0].digest(kind, value))
    return f"{kind[:1]}_{base64.b32encode(raw).decode().lower()[: SHORT_LENGTH - 2]}"
