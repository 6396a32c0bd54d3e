"""One fingerprint of a request, for idempotency: the same key with another request is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from yagona.kernel.errors import InvalidRequestError

IDEMPOTENCY_KEY_MAX = 120
_KEY_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-")


def request_fingerprint(request: Mapping[str, Any]) -> str:
    """SHA-256 of the request's canonical JSON (sorted keys, no spaces): equal requests, equal prints."""
    return hashlib.sha256(_CANONICAL.encode(request).encode()).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "tiyin"):
        return value.tiyin
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


# One encoder for every fingerprint: `json.dumps` with these options builds a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=_plain, ensure_ascii=True)


def check_idempotency_key(key: str, *, field: str = "idempotency_key") -> str:
    """A key is 1..120 characters of `A-Z a-z 0-9 . _ : -`; anything else is refused, never truncated."""
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not set(key) <= _KEY_ALPHABET:
        raise InvalidRequestError(
            f"an idempotency key is 1 to {IDEMPOTENCY_KEY_MAX} characters of letters, digits and . _ : -",
            field=field,
        )
    return key
