"""Uzbek mobile numbers (MSISDN): one normaliser for every domain and channel.

Stored and compared as 12 ASCII digits `998XXXXXXXXX`; shown to people as
`+998 90 123 45 67`. Accepted input: `998901234567`, `+998 90 123-45-67`,
`(90) 123 45 67`, `901234567` (the national nine digits).
"""

from __future__ import annotations

import re

from yagona.kernel.errors import InvalidRequestError

MSISDN_PATTERN = r"^998\d{9}$"
# What an API schema accepts before normalising (documented in OpenAPI).
MSISDN_INPUT_PATTERN = r"^\+?[0-9 ()\-]{9,20}$"
_MSISDN = re.compile(MSISDN_PATTERN)
_SEPARATORS = re.compile(r"[ ()\-]")
_MAX_INPUT = 32


class InvalidPhoneError(InvalidRequestError):
    code = "invalid_phone"


def normalise_msisdn(raw: str) -> str | None:
    """`+998 90 123-45-67` → `998901234567`; None when it is not an Uzbek mobile number."""
    if not isinstance(raw, str) or len(raw) > _MAX_INPUT or not raw.isascii():
        return None
    cleaned = _SEPARATORS.sub("", raw.strip()).removeprefix("+")
    if len(cleaned) == 9 and cleaned.isdigit():
        cleaned = "998" + cleaned
    return cleaned if _MSISDN.fullmatch(cleaned) else None


def parse_msisdn(raw: str, *, field: str = "phone") -> str:
    """The normalised MSISDN, or a typed refusal naming the field."""
    msisdn = normalise_msisdn(raw)
    if msisdn is None:
        shown = raw[:_MAX_INPUT] if isinstance(raw, str) else repr(raw)
        raise InvalidPhoneError(f"{shown!r} is not an Uzbek mobile number (998 and 9 digits)", field=field, value=shown)
    return msisdn


def display_msisdn(msisdn: str) -> str:
    """`998901234567` → `+998 90 123 45 67` (how people read it)."""
    assert _MSISDN.fullmatch(msisdn), "display_msisdn takes a normalised MSISDN"
    return f"+998 {msisdn[3:5]} {msisdn[5:8]} {msisdn[8:10]} {msisdn[10:12]}"
