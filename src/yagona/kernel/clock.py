"""Time is injected. Nothing outside this module asks the machine for the time.

`Clock` is the protocol; `SystemClock` reads the machine's clock, `SimulatedClock`
is moved by the sandbox and the tests. Local time is Asia/Tashkent (UTC+5, no DST).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

# Uzbekistan has kept UTC+5 without daylight saving since 1992; a fixed offset keeps
# the kernel free of the tz database.
TASHKENT = timezone(timedelta(hours=5), "Asia/Tashkent")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to, and never backwards."""

    def __init__(self, start: datetime) -> None:
        _require_aware(start)
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance_to(self, instant: datetime) -> None:
        _require_aware(instant)
        with self._lock:
            if instant < self._now:
                raise ValueError(f"a simulated clock does not go back: {instant.isoformat()} < {self._now.isoformat()}")
            self._now = instant

    def advance_by(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("a simulated clock does not go back")
        with self._lock:
            self._now = self._now + delta


def local(instant: datetime) -> datetime:
    """The same instant in Tashkent time."""
    _require_aware(instant)
    return instant.astimezone(TASHKENT)


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("naive datetimes are refused: give a timezone")
