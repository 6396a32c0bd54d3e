"""The side-by-side run: each shape in rounds of pgledger and Yagona (`sidebyside.run`),
and the table of their medians."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from yagona.app.bench import peer, scratch
from yagona.app.bench.peer import Figures, Shape
from yagona.app.bench.sidebyside import Setup, run


@dataclass(frozen=True, slots=True)
class Round:
    peer: Figures
    yagona: Figures
    group_mean: float

    @property
    def ratio(self) -> float:
        return self.yagona.per_second / self.peer.per_second


@dataclass(frozen=True, slots=True)
class Row:
    """A shape's rounds; each figure shown is the median over them."""

    shape: Shape
    rounds: Sequence[Round]

    @property
    def peer(self) -> Figures:
        return median_figures([r.peer for r in self.rounds])

    @property
    def yagona(self) -> Figures:
        return median_figures([r.yagona for r in self.rounds])

    @property
    def group_mean(self) -> float:
        return statistics.median(r.group_mean for r in self.rounds)

    @property
    def ratio(self) -> float:
        """The median of the rounds' ratios, each measured minutes apart at most."""
        return statistics.median(r.ratio for r in self.rounds)


def median_figures(figures: Sequence[Figures]) -> Figures:
    """Each figure's median over the rounds (the transfers and seconds: their sums)."""

    def median(field: str) -> float:
        return float(statistics.median(float(getattr(f, field)) for f in figures))

    apps = [f.app_cpu_us for f in figures if f.app_cpu_us is not None]
    return Figures(
        transfers=sum(f.transfers for f in figures),
        seconds=sum(f.seconds for f in figures),
        per_second=median("per_second"),
        p50_ms=median("p50_ms"),
        p99_ms=median("p99_ms"),
        server_cpu_us=median("server_cpu_us"),
        client_cpu_us=median("client_cpu_us"),
        app_cpu_us=statistics.median(apps) if apps else None,
    )


def compare(
    server_url: str, peer_sql: Path, *, seconds: float, setup: Setup, shapes: Sequence[Shape], rounds: int
) -> list[Row]:
    """Every shape in `rounds` rounds of pgledger and Yagona, each system in a fresh scratch
    database each time, the two taking turns to go first: a machine whose speed drifts over
    a run (a shared one does) weighs on both alike."""
    rows = []
    for shape in shapes:
        done = []
        for number in range(rounds):
            if number % 2 == 0:
                peer_figures = _peer_round(server_url, peer_sql, shape, seconds)
                yagona_figures, group_mean = _yagona_round(server_url, shape, seconds, setup)
            else:
                yagona_figures, group_mean = _yagona_round(server_url, shape, seconds, setup)
                peer_figures = _peer_round(server_url, peer_sql, shape, seconds)
            done.append(Round(peer_figures, yagona_figures, group_mean))
        rows.append(Row(shape, done))
    return rows


def _peer_round(server_url: str, peer_sql: Path, shape: Shape, seconds: float) -> Figures:
    with scratch.postgres_database(server_url) as url:
        peer.load(url, peer_sql)
        return peer.run(url, shape, seconds)


def _yagona_round(server_url: str, shape: Shape, seconds: float, setup: Setup) -> tuple[Figures, float]:
    with scratch.postgres_database(server_url) as url:
        return run(url, shape, seconds, setup)


def table(rows: Sequence[Row]) -> list[str]:
    head = (
        "| shape | pgledger transfers/s | p50 ms | p99 ms | Yagona transfers/s | p50 ms | p99 ms "
        "| mean group | Yagona / pgledger (each round) | CPU µs/transfer, server: pgledger / Yagona "
        "| client side: pgbench / Yagona (its server processes + its clients) |"
    )
    return [
        head,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| ({r.shape.name}) {r.shape.clients} clients, {r.shape.label} "
            f"| {r.peer.per_second:,.0f} | {r.peer.p50_ms:.2f} | {r.peer.p99_ms:.2f} "
            f"| {r.yagona.per_second:,.0f} | {r.yagona.p50_ms:.2f} | {r.yagona.p99_ms:.2f} "
            f"| {r.group_mean:.1f} | **{r.ratio:.2f}x** ({', '.join(f'{x.ratio:.2f}' for x in r.rounds)}) "
            f"| {r.peer.server_cpu_us:,.0f} / {r.yagona.server_cpu_us:,.0f} "
            f"| {r.peer.client_cpu_us:,.0f} / {r.yagona.client_cpu_us:,.0f} "
            f"({r.yagona.app_cpu_us or 0:,.0f} + {r.yagona.client_cpu_us - (r.yagona.app_cpu_us or 0):,.0f}) |"
            for r in rows
        ),
    ]
