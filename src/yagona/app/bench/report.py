"""Benchmark figures as a table for people or JSON for machines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from yagona.app.bench.ledger import Backend, Result
from yagona.app.bench.machine import Machine


@dataclass(frozen=True, slots=True)
class Target:
    label: str
    backend: Backend
    clients: int | None  # None: any
    batched: bool | None  # None: either
    per_second: float

    def applies(self, result: Result) -> bool:
        s = result.scenario
        return (
            s.backend == self.backend
            and (self.clients is None or s.clients == self.clients)
            and (self.batched is None or (s.batch > 1) == self.batched)
        )


TARGETS = (
    Target("SQLite batched", Backend.SQLITE, None, True, 20_000),
    Target("PostgreSQL 8 clients, one transfer per commit", Backend.POSTGRES, 8, False, 5_000),
    Target("PostgreSQL 8 clients, batched", Backend.POSTGRES, 8, True, 5_000),
)

_HEADER = (
    "scenario",
    "clients",
    "per txn",
    "shards",
    "transfers",
    "seconds",
    "transfers/s",
    "p50 ms",
    "p99 ms",
    "client CPU µs/transfer",
)


def _thousands(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _row(r: Result) -> tuple[str, ...]:
    s = r.scenario
    return (
        s.name,
        str(s.clients),
        str(s.batch),
        str(s.revenue_shards),
        _thousands(r.transfers),
        f"{r.seconds:.2f}",
        _thousands(r.per_second),
        f"{r.p50_ms:.2f}",
        f"{r.p99_ms:.2f}",
        f"{r.client_cpu_us:.0f}",
    )


def table(results: Sequence[Result]) -> list[str]:
    rows = [_HEADER, *(_row(r) for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]

    def line(row: tuple[str, ...]) -> str:
        # The name reads left-aligned, the figures right-aligned so their digits line up.
        cells = [row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))]
        return "  ".join(cells)

    return [line(rows[0]), "  ".join("-" * w for w in widths), *(line(row) for row in rows[1:])]


def target_lines(results: Sequence[Result]) -> list[str]:
    lines = []
    for target in TARGETS:
        matching = [r for r in results if target.applies(r)]
        if not matching:
            continue
        best = max(matching, key=lambda r: r.per_second)
        verdict = "met" if best.per_second >= target.per_second else "MISSED"
        lines.append(
            f"target {target.label} ≥ {_thousands(target.per_second)}/s: {verdict}"
            f" (best {_thousands(best.per_second)}/s, {best.scenario.name})"
        )
    return lines


def machine_lines(machine: Machine, postgres_settings: dict[str, str]) -> list[str]:
    settings = ", ".join(f"{k}={v}" for k, v in postgres_settings.items() if k != "server_version")
    return [
        f"machine: {machine.cpu_model}, {machine.cpu_count} CPU(s), load average {machine.load} at start",
        f"python {machine.python}, SQLite {machine.sqlite}, PostgreSQL {machine.postgres}",
        *([f"postgresql settings: {settings}"] if settings else []),
    ]


def as_json(
    *, date: str, machine: Machine, postgres_settings: dict[str, str], results: Sequence[Result], skipped: list[str]
) -> dict[str, Any]:
    return {
        "date": date,
        "machine": asdict(machine),
        "postgres_settings": postgres_settings,
        "results": [
            {**asdict(r), "scenario": {**asdict(r.scenario), "backend": r.scenario.backend.value}} for r in results
        ],
        "targets": target_lines(results),
        "skipped": skipped,
    }
