# ruff: noqa: RUF002, RUF003 - the GSM alphabet and Uzbek apostrophes are what this module is about
"""How an SMS text travels (3GPP TS 23.038): GSM-7 when every character is in the GSM
default alphabet or its extension table, else UCS-2 — and in how many parts. Pure.

- GSM-7: 160 septets in one part; a longer text is split into parts of 153 (7 septets go
  to the concatenation header). A character of the extension table (`^ { } \\ [ ~ ] | €`,
  form feed) is sent as ESC + character: it counts 2, and the pair is never split.
- UCS-2: 70 UTF-16 units in one part, 67 per part when split; a character outside the
  Basic Multilingual Plane (an emoji) takes two units, never split.

Uzbek Latin writes oʻ / gʻ with U+02BB (ʻ) and the tutuq belgisi with U+02BC (ʼ); neither is
in the GSM alphabet, so one of them would turn a whole message into UCS-2 and cut each part
from 160 to 70 characters. `for_sms` therefore writes them — and the typographic quotes
‘ ’ ` ´ that phones and editors put in their place — as the ASCII apostrophe ', which every
Uzbek reader reads the same (it is how the letters are typed on most keyboards). A few
other typographic characters get their plain equivalents. Cyrillic has no GSM-7 letters:
Russian (and Uzbek Cyrillic) texts are UCS-2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
PER_PART = {"GSM-7": 153, "UCS-2": 67}

# Uzbek apostrophes and their look-alikes → ', and typographic characters → plain ones.
_PLAIN = str.maketrans(
    {
        "\u02bb": "'",  # ʻ modifier letter turned comma (oʻ, gʻ)
        "\u02bc": "'",  # ʼ modifier letter apostrophe (tutuq belgisi)
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "`": "'",
        "\u00b4": "'",  # ´
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u2013": "-",  # –
        "\u2014": "-",  # —
        "\u00a0": " ",  # no-break space
        "\u2026": "...",  # …
    }
)

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SmsShape:
    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 units (UCS-2)
    parts: int


def for_sms(text: str) -> str:
    """The text as it is sent: Uzbek apostrophes and typographic characters made plain."""
    return text.translate(_PLAIN)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _costs(text: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def shape(text: str) -> SmsShape:
    """The encoding of `text` (already `for_sms`), its length in units and its parts."""
    encoding: Encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
    costs = _costs(text, encoding)
    units = sum(costs)
    if units <= SINGLE[encoding]:
        return SmsShape(encoding, units, 1 if units else 0)
    # Fill parts one character at a time: a two-unit character that does not fit goes whole
    # to the next part (an escape pair or a surrogate pair is never split).
    size, parts, used = PER_PART[encoding], 1, 0
    for cost in costs:
        if used + cost > size:
            parts, used = parts + 1, 0
        used += cost
    return SmsShape(encoding, units, parts)
