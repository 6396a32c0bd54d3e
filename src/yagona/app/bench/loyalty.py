"""The bonus programme benchmark: charge events turned into accruals per second, drained from
the outbox exactly as the worker does it (`platform.outbox.drain_deferred` → the deferred
consumer `loyalty`: a batch of outbox rows per unit of work, each event behind its
`consume_once` mark, the member's lock, the tier's 90-day spend, the ledger transfer in
points, the lot and its expiry job; the cursor moved in the same commit).

Producer threads first commit `lines.line_charged` events to the outbox as the lines domain
does (a unit of work each, on the deferred bus: nothing earns at commit), several charges per
member so the tier and the carry are real. Then the drain is timed until it has caught up.
Then the cursor is put back to the start — a restore, or a second worker — and every event
is handed over again: it must earn nothing. The points are checked (one accrual per event)
and the ledger must verify.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from time import perf_counter

from sqlalchemy import update

from yagona.app.bench.ledger import Backend, BenchmarkError, percentile
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SystemClock
from yagona.ledger import service as ledger_service
from yagona.lines.events import LineCharged
from yagona.loyalty import service
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.models import ConsumerCursor
from yagona.platform.outbox import drain_batch
from yagona.platform.settings import BusSettings, DatabaseSettings, Settings

MEMBERS_PER_CLIENT = 50
BATCH = 500  # the worker's default (`YAGONA_BUS__DRAIN_BATCH_SIZE`)


@dataclass(frozen=True, slots=True)
class LoyaltyResult:
    backend: Backend
    clients: int  # producer threads
    events: int
    seconds: float
    per_second: float  # accruals per second drained
    p50_ms: float  # a batch of BATCH events, one unit of work
    p99_ms: float
    replay_per_second: float  # the same events again: each absorbed by its consume_once mark
    produce_per_second: float  # what the producers' commits cost with loyalty deferred


def run(backend: Backend, url: str, *, clients: int, events: int) -> LoyaltyResult:
    engine = make_engine(url, pool_size=clients + 2)
    try:
        migrate.upgrade(engine)
        settings = Settings(env="test", database=DatabaseSettings(url=url), bus=BusSettings(defer=True))
        container = bootstrap(settings, engine=engine, configure_logs=False)
        produced, produce_seconds = _produce(container, clients=clients, per_client=max(1, events // clients))
        drained, latencies, seconds = _drain(container)
        _rewind(container)
        replayed, _, replay_seconds = _drain(container)
        _check(container, produced)
    finally:
        engine.dispose()
    if drained != produced or replayed != produced:
        raise BenchmarkError(f"the drain handed over {drained}, then {replayed}, of {produced} events")
    return LoyaltyResult(
        backend=backend,
        clients=clients,
        events=drained,
        seconds=seconds,
        per_second=drained / seconds,
        p50_ms=percentile(latencies, 0.5) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        replay_per_second=replayed / replay_seconds,
        produce_per_second=produced / produce_seconds,
    )


def _produce(container: Container, *, clients: int, per_client: int) -> tuple[int, float]:
    """Charges of 300 to 12 299 so'm, round-robin over each client's own members, a commit each."""

    def client(index: int) -> int:
        now = SystemClock().now()
        for i in range(per_client):
            with container.uow() as uow:
                uow.add_event(
                    LineCharged(
                        occurred_at=now + timedelta(microseconds=i),
                        msisdn=f"99878{index:02d}{i % MEMBERS_PER_CLIENT:05d}",
                        reason="renewal",
                        amount_tiyin=(300 + (i * 37) % 12_000) * 100,
                    )
                )
                uow.commit()
        return per_client

    began = perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        produced = sum(pool.map(client, range(clients)))
    return produced, perf_counter() - began


def _drain(container: Container) -> tuple[int, list[float], float]:
    """Batches until the consumer has caught up: events handed over, each batch's time, the total."""
    [consumer] = container.bus.deferred_consumers()
    grace = container.settings.bus.drain_gap_grace_s
    handled, latencies = 0, []
    began = perf_counter()
    while True:
        started = perf_counter()
        report = drain_batch(container.uow, consumer, batch=BATCH, gap_grace_s=grace)
        if report.failed or report.waiting:
            raise BenchmarkError(f"the drain stopped: {report}")
        if report.passed == 0:
            break
        latencies.append(perf_counter() - started)
        handled += report.handled
    return handled, latencies, perf_counter() - began


def _rewind(container: Container) -> None:
    with container.uow() as uow:
        uow.session.execute(update(ConsumerCursor).values(last_seq=0))
        uow.commit()


def _check(container: Container, produced: int) -> None:
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
    if not report.ok or accruals != produced or held <= 0:
        raise BenchmarkError(f"the points broke under load: {report.problems[:3]}, {accruals} accruals of {produced}")
