"""Pure rules of the CRM: what a timeline entry may say."""

from __future__ import annotations

import re

SUMMARY_MAX_LENGTH = 300
BODY_MAX_LENGTH = 4000
# 13 to 19 digits, spaces or dashes allowed between them: a payment card's number (PAN).
_CARD_NUMBER = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def mask_card_numbers(text: str) -> str:
    """A card number typed into a message keeps only its last four digits: the timeline
    is read by staff, and the privacy rules forbid full card numbers anywhere."""

    def masked(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return "*" * (len(digits) - 4) + digits[-4:]

    return _CARD_NUMBER.sub(masked, text)


def clean_text(text: str, *, max_length: int) -> str | None:
    """Whitespace folded, card numbers masked, cut to `max_length`; None when empty."""
    folded = " ".join(text.split())
    if not folded:
        return None
    return mask_card_numbers(folded)[:max_length]
