"""The bonus programme benchmark: charge events turned into accruals per second, through the
bus exactly as production delivers them (`bus.dispatch` → `loyalty.handlers`: the
`consume_once` mark, the member's lock, the tier's 90-day spend, the ledger transfer in
points, the lot, its expiry job, a unit of work per event).

Each client dispatches `lines.line_charged` events for its own members (several charges per
member, so the tier and the carry are real). Then every event is delivered once more — a
redispatch after a crash — and must earn nothing: the points are checked against the
programme's own arithmetic and the ledger must verify.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from time import perf_counter

from yagona.app.bench.ledger import Backend, BenchmarkError, percentile
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SystemClock
from yagona.kernel.ids import new_id
from yagona.ledger import service as ledger_service
from yagona.loyalty import service
from yagona.platform import migrate
from yagona.platform.bus import EventEnvelope
from yagona.platform.db import make_engine
from yagona.platform.settings import DatabaseSettings, Settings

MEMBERS_PER_CLIENT = 50
WARMUP_PER_CLIENT = 50


@dataclass(frozen=True, slots=True)
class LoyaltyResult:
    backend: Backend
    clients: int
    events: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    replay_per_second: float  # the same events again: each absorbed by its consume_once mark


def run(backend: Backend, url: str, *, clients: int, events: int) -> LoyaltyResult:
    engine = make_engine(url, pool_size=clients + 2)
    try:
        migrate.upgrade(engine)
        container = bootstrap(
            Settings(env="test", database=DatabaseSettings(url=url)), engine=engine, configure_logs=False
        )
        per_client = max(1, events // clients)
        planned = [_events(c, WARMUP_PER_CLIENT + per_client) for c in range(clients)]
        latencies, seconds = _deliver(container, [p[WARMUP_PER_CLIENT:] for p in planned], warmup=planned)
        replayed, replay_seconds = _deliver(container, planned, warmup=None)
        _check(container, planned)
    finally:
        engine.dispose()
    return LoyaltyResult(
        backend=backend,
        clients=clients,
        events=len(latencies),
        seconds=seconds,
        per_second=len(latencies) / seconds,
        p50_ms=percentile(latencies, 0.5) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        replay_per_second=len(replayed) / replay_seconds,
    )


def _events(client: int, count: int) -> list[EventEnvelope]:
    """Charges of 300 to 12 299 so'm, round-robin over the client's own members."""
    now = SystemClock().now()
    return [
        EventEnvelope(
            new_id(),
            "lines.line_charged",
            now + timedelta(microseconds=i),
            {
                "msisdn": f"99878{client:02d}{i % MEMBERS_PER_CLIENT:05d}",
                "reason": "renewal",
                "amount_tiyin": (300 + (i * 37) % 12_000) * 100,
            },
        )
        for i in range(count)
    ]


def _deliver(
    container: Container, timed: list[list[EventEnvelope]], *, warmup: list[list[EventEnvelope]] | None
) -> tuple[list[float], float]:
    start = threading.Barrier(len(timed) + 1)

    def client(index: int) -> list[float]:
        for envelope in warmup[index][:WARMUP_PER_CLIENT] if warmup else []:
            container.bus.dispatch(envelope)
        start.wait()
        spent = []
        for envelope in timed[index]:
            began = perf_counter()
            if not container.bus.dispatch(envelope):
                raise BenchmarkError(f"the handler failed on {envelope.event_id}")
            spent.append(perf_counter() - began)
        return spent

    with ThreadPoolExecutor(max_workers=len(timed)) as pool:
        futures = [pool.submit(client, i) for i in range(len(timed))]
        start.wait()
        began = perf_counter()
        latencies = [latency for future in futures for latency in future.result()]
        return latencies, perf_counter() - began


def _check(container: Container, planned: list[list[EventEnvelope]]) -> None:
    """One accrual per event (none for the second delivery), and a ledger that verifies."""
    with container.uow() as uow:
        report = ledger_service.verify(uow)
        phones = service.members(uow)
        accruals = sum(
            1
            for phone in phones
            for e in service.history(uow, phone=phone, limit=service.HISTORY_MAX)
            if e.kind == "earn"
        )
        held = sum(service.state(uow, phone=phone).points for phone in phones)
    sent = sum(len(events) for events in planned)
    if not report.ok or accruals != sent or held <= 0:
        raise BenchmarkError(f"the points broke under load: {report.problems[:3]}, {accruals} accruals of {sent}")
