"""What the figures were measured on: a figure without its machine means little."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Machine:
    cpu_model: str
    cpu_count: int
    python: str
    sqlite: str
    postgres: str  # the server version, or why it is unknown
    load: str  # 1/5/15-minute load average: other work on the machine skews every figure


def _cpuinfo() -> tuple[str, int]:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown", 0
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    processors = sum(1 for line in lines if line.startswith("processor"))
    return (models[0] if models else "unknown"), processors


def describe(postgres: str) -> Machine:
    model, count = _cpuinfo()
    return Machine(
        cpu_model=model,
        cpu_count=count,
        python=f"{platform.python_implementation()} {platform.python_version()}",
        sqlite=sqlite3.sqlite_version,
        postgres=postgres,
        load=" ".join(f"{v:.2f}" for v in os.getloadavg()),
    )
