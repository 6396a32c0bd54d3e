"""Pure rules of the access log. No I/O, no framework."""

from __future__ import annotations

REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 500


def clean_reason(raw: str) -> str | None:
    """The reason as kept (spaces collapsed), or None when it is too short to say anything."""
    reason = " ".join(raw.split())
    if len(reason) < REASON_MIN_LENGTH:
        return None
    return reason[:REASON_MAX_LENGTH]
