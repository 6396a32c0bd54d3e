"""Inbound e-mail (a ticket written to the operator's support address), as the mail provider
hands it over — Mailgun's inbound routes: a form with `sender`, `subject`, `body-plain`, and a
signature, HMAC-SHA-256 of `timestamp + token` under the webhook signing key. Pure."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

FRESH_FOR = timedelta(minutes=15)  # an older signed request is a replay: refused
SUBJECT_MAX = 300
_ADDRESS = re.compile(r"<?([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>?\s*$")


def signature_ok(key: str, *, timestamp: str, token: str, signature: str, now: datetime) -> bool:
    """The provider signed it with our key, recently."""
    if not timestamp.isdigit() or not token or len(token) > 200:
        return False
    signed_at = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
    if abs(now - signed_at) > FRESH_FOR:
        return False
    expected = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


def address_of(sender: str) -> str | None:
    """`Dilnoza A. <dilnoza@example.uz>` → `dilnoza@example.uz` (lower case); None if none."""
    found = _ADDRESS.search(sender.strip())
    return found.group(1).lower() if found else None


def summary_of(subject: str, body: str) -> str:
    """The subject, or the body's first line when there is none."""
    first = subject.strip() or next((line.strip() for line in body.splitlines() if line.strip()), "")
    return (first or "E-mail")[:SUBJECT_MAX]
