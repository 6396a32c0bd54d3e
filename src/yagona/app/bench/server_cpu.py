"""CPU spent by the PostgreSQL backends of one database while a benchmark runs.

The server runs on this machine: its backends are processes whose CPU `/proc` shows. A
thread samples `pg_stat_activity` for the database's backends and their CPU; the figure
is the sum over backends of (last sample - first sample). A backend born and gone between
two samples is missed, so the figure is a floor.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

import psycopg

from yagona.app.bench.scratch import libpq_url

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process so far, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


class ServerCpu:
    """`with ServerCpu(url) as cpu: …` then `cpu.seconds`."""

    def __init__(self, database_url: str, *, every_s: float = 0.2) -> None:
        self._url = libpq_url(database_url)
        self._every_s = every_s
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ServerCpu:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self._last[pid] - first for pid, first in self._first.items())

    def _sample(self) -> None:
        with psycopg.connect(self._url, autocommit=True) as db:
            while True:
                rows = db.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
                for (pid,) in rows:
                    cpu = cpu_seconds(int(pid))
                    if cpu is not None:
                        self._first.setdefault(int(pid), cpu)
                        self._last[int(pid)] = cpu
                if self._stop.wait(self._every_s):
                    return
