"""Pure rules of identity: phone numbers, codes, limits, scopes. No I/O, no framework."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

_MSISDN = re.compile(r"^998\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")

# The scopes One ID grants; `services` lists the customer's linked services; the last four
# open the customer's own lines and wallet over REST (yagona.platform.auth.CUSTOMER_SCOPES).
SCOPES = (
    "openid",
    "profile",
    "phone",
    "email",
    "services",
    "offline_access",
    "mobile",
    "mobile:manage",
    "wallet",
    "wallet:pay",
)
SERVICE_SCOPES = ("mobile", "wallet", "home_internet", "iptv")


def normalise_phone(raw: str) -> str | None:
    """An Uzbek MSISDN as `998XXXXXXXXX`, or None when it is not one. Accepts `+998 90 123-45-67`."""
    if len(raw) > 32:
        return None
    cleaned = _SEPARATORS.sub("", raw.strip())
    cleaned = cleaned.removeprefix("+")
    return cleaned if _MSISDN.fullmatch(cleaned) else None


def new_otp(digits: int) -> str:
    """A uniformly random code of `digits` digits (leading zeros kept)."""
    assert 6 <= digits <= 10, "codes have at least six digits"
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def window_expired(started_at: datetime, now: datetime, window: timedelta) -> bool:
    return now >= started_at + window


def over_limit(count: int, limit: int) -> bool:
    """`count` includes the attempt being made: the limit-th attempt is still allowed."""
    return count > limit


def password_problems(password: str, *, min_length: int, phone: str | None) -> list[str]:
    """Why a new password is refused (empty when it is acceptable)."""
    problems = []
    if len(password) < min_length:
        problems.append(f"at least {min_length} characters")
    if len(password) > 256:
        problems.append("at most 256 characters")
    if phone and phone[-9:] in password:
        problems.append("must not contain the phone number")
    if len(set(password)) < 4:
        problems.append("too few different characters")
    return problems


def granted_scopes(requested: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The requested scopes the client may have, in a stable order."""
    allowed_set = set(allowed)
    return sorted({s for s in requested if s in allowed_set})


def device_label(user_agent: str | None) -> str:
    if not user_agent:
        return "unknown device"
    return user_agent[:80]


def totp_step(unix_s: float, interval_s: int = 30) -> int:
    return int(unix_s // interval_s)
