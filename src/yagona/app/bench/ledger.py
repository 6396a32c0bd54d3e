"""The ledger benchmark: transfers per second and commit latency through the public use
cases (`service.transfer`, `service.post`), on SQLite and PostgreSQL.

Every transfer is a customer paying the operator: it touches the customer's account and
the hot revenue account. With one client per account set and a single revenue account,
the only contention is the revenue row(s) — exactly what sharding is meant to relieve.

What a scenario measures:
- batch 1: one `service.transfer` (customer → revenue) per unit of work and commit;
- batch B > 1: one `service.post` of B linked transfers per commit, B/2 payments, each a
  pair payer → payee and payer → revenue (the commission); a batch's customers are distinct.
The clock runs only over the timed transactions, after setup and a warm-up; latency is
per transaction, from opening the unit of work to the end of its commit.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from math import ceil
from time import perf_counter, process_time

from yagona.app.bootstrap import Container, bootstrap
from yagona.ledger import service
from yagona.ledger.schemas import AccountCreate, TransferCreate, Unit
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.settings import DatabaseSettings, LimitSettings, Settings

REVENUE = "operator:revenue"
WORLD = "external:world"  # where the customers' money comes from: may go negative
FUNDS = 10**12  # tiyin per customer: far more than any scenario spends
FUNDING_BATCH = 1_000  # the default batch_size_max
WARMUP_TRANSFERS = 100  # per client: the first statements compile and fill caches
WARMUP_BATCHES = 2


class Backend(StrEnum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"


class BenchmarkError(RuntimeError):
    """The ledger broke an invariant, or lost or gained transfers, under load."""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    backend: Backend
    clients: int
    batch: int  # transfers per transaction; 1 goes through service.transfer
    revenue_shards: int
    transfers: int  # asked for; rounded up to whole transactions per client

    @property
    def transactions_per_client(self) -> int:
        return max(1, ceil(self.transfers / (self.clients * self.batch)))

    @property
    def customers_per_client(self) -> int:
        # A batch's payments use distinct customers; single transfers rotate over 100.
        return self.batch if self.batch > 1 else 100


@dataclass(frozen=True, slots=True)
class Result:
    scenario: Scenario
    transfers: int  # timed
    transactions: int  # timed
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    # CPU this process spent per timed transfer: Python, SQLAlchemy, the driver — and, for
    # SQLite, the database engine too. Against 1e6 / per_second it shows who is the bottleneck.
    client_cpu_us: float
    ledger_transfers: int  # what verify counted: funding, warm-up and timed


@dataclass(frozen=True, slots=True)
class Txn:
    key: str
    transfers: tuple[TransferCreate, ...]


@dataclass(frozen=True, slots=True)
class _ClientRun:
    started: float
    finished: float
    cpu_started: float  # process_time: CPU of the whole process, every thread
    cpu_finished: float
    latencies: list[float]


def scenarios(transfers: int | None, only: Backend | None) -> list[Scenario]:
    """The scenarios in report order; `transfers` overrides every default count."""
    single, batched = transfers or 5_000, transfers or 20_000
    every = [
        Scenario("sqlite 1x1", Backend.SQLITE, 1, 1, 1, single),
        Scenario("sqlite batch 100", Backend.SQLITE, 1, 100, 1, batched),
        Scenario("sqlite batch 1000", Backend.SQLITE, 1, 1_000, 1, batched),
        Scenario("pg 1 client, revenue x1", Backend.POSTGRES, 1, 1, 1, single),
        Scenario("pg 8 clients, revenue x1", Backend.POSTGRES, 8, 1, 1, single),
        Scenario("pg 1 client, revenue x8", Backend.POSTGRES, 1, 1, 8, single),
        Scenario("pg 8 clients, revenue x8", Backend.POSTGRES, 8, 1, 8, single),
        Scenario("pg 8 clients x batch 100, revenue x8", Backend.POSTGRES, 8, 100, 8, batched),
    ]
    return [s for s in every if only is None or s.backend == only]


def run(scenario: Scenario, url: str) -> Result:
    """Build a fresh ledger at `url`, load it, time it, verify it."""
    engine = make_engine(url, pool_size=scenario.clients + 1)
    try:
        migrate.upgrade(engine)
        # Explicit defaults: a YAGONA_LIMITS__… in the environment must not change the benchmark.
        settings = Settings(env="test", database=DatabaseSettings(url=url), limits=LimitSettings())
        container = bootstrap(settings, engine=engine, configure_logs=False)
        customers = _open_accounts(container, scenario)
        funded = _fund(container, [code for codes in customers for code in codes])
        plans = [_plan(scenario, client, codes) for client, codes in enumerate(customers)]
        runs = _run_clients(container, plans)
        posted = sum(len(txn.transfers) for warmup, timed in plans for txn in (*warmup, *timed))
        ledger_transfers = _verify(container, expected=funded + posted)
    finally:
        engine.dispose()
    return _result(scenario, runs, ledger_transfers)


# --- setup ------------------------------------------------------------------------------


def _account(code: str, kind: str, *, allow_negative: bool = False, shards: int = 1) -> AccountCreate:
    return AccountCreate(
        code=code,
        owner=code.rsplit(":", maxsplit=1)[-1],
        kind=kind,
        unit=Unit.SOM,
        allow_negative=allow_negative,
        shards=shards,
    )


def _open_accounts(container: Container, scenario: Scenario) -> list[list[str]]:
    """Open revenue, world and each client's own customers; returns the customer codes per client."""
    customers = [
        [f"customer:c{client}n{n}" for n in range(scenario.customers_per_client)] for client in range(scenario.clients)
    ]
    with container.uow() as uow:
        service.open_account(
            uow, account=_account(REVENUE, "revenue", allow_negative=True, shards=scenario.revenue_shards)
        )
        service.open_account(uow, account=_account(WORLD, "external", allow_negative=True))
        for code in (code for codes in customers for code in codes):
            service.open_account(uow, account=_account(code, "customer"))
        uow.commit()
    return customers


def _fund(container: Container, codes: Sequence[str]) -> int:
    """Give every customer FUNDS from the world; returns the transfers posted."""
    for start in range(0, len(codes), FUNDING_BATCH):
        chunk = codes[start : start + FUNDING_BATCH]
        transfers = [TransferCreate(debit=WORLD, credit=code, amount=FUNDS, reason="funding") for code in chunk]
        with container.uow() as uow:
            service.post(uow, transfers=transfers, idempotency_key=f"bench:funding:{start}")
            uow.commit()
    return len(codes)


# --- the work ---------------------------------------------------------------------------


def _amount(i: int) -> int:
    # Varied, deterministic amounts between 10 and 1 000 so'm (in tiyin).
    return 1_000 + (i * 7_919) % 99_000


def _single(client: int, i: int, customers: Sequence[str], phase: str) -> Txn:
    payer = customers[i % len(customers)]
    transfer = TransferCreate(debit=payer, credit=REVENUE, amount=_amount(i), reason="payment")
    return Txn(f"bench:{phase}:{client}:{i}", (transfer,))


def _batch(client: int, b: int, customers: Sequence[str], phase: str) -> Txn:
    # Rotating the pool changes who pays whom from batch to batch; all stay distinct.
    shift = b % len(customers)
    pool = [*customers[shift:], *customers[:shift]]
    transfers: list[TransferCreate] = []
    for p in range(len(pool) // 2):
        payer, payee, amount = pool[2 * p], pool[2 * p + 1], _amount(b * len(pool) + p)
        transfers.append(TransferCreate(debit=payer, credit=payee, amount=amount, reason="payment"))
        transfers.append(TransferCreate(debit=payer, credit=REVENUE, amount=amount // 100 + 1, reason="commission"))
    return Txn(f"bench:{phase}:{client}:{b}", tuple(transfers))


def _plan(scenario: Scenario, client: int, customers: Sequence[str]) -> tuple[list[Txn], list[Txn]]:
    """The warm-up and the timed transactions of one client, built before any clock runs."""
    make = _single if scenario.batch == 1 else _batch
    warmups = WARMUP_TRANSFERS if scenario.batch == 1 else WARMUP_BATCHES
    warmup = [make(client, i, customers, "warmup") for i in range(warmups)]
    timed = [make(client, i, customers, "timed") for i in range(scenario.transactions_per_client)]
    return warmup, timed


def _post(container: Container, txn: Txn) -> None:
    with container.uow() as uow:
        if len(txn.transfers) == 1:
            [t] = txn.transfers
            service.transfer(
                uow, debit=t.debit, credit=t.credit, amount=t.amount, reason=t.reason, idempotency_key=txn.key
            )
        else:
            service.post(uow, transfers=txn.transfers, idempotency_key=txn.key)
        uow.commit()


def _client(container: Container, warmup: Sequence[Txn], timed: Sequence[Txn], start: threading.Barrier) -> _ClientRun:
    try:
        for txn in warmup:
            _post(container, txn)
        start.wait()
    except BaseException:
        start.abort()  # the other clients must not wait for one that died
        raise
    latencies: list[float] = []
    started, cpu_started = perf_counter(), process_time()
    for txn in timed:
        t0 = perf_counter()
        _post(container, txn)
        latencies.append(perf_counter() - t0)
    return _ClientRun(started, perf_counter(), cpu_started, process_time(), latencies)


def _run_clients(container: Container, plans: Sequence[tuple[list[Txn], list[Txn]]]) -> list[_ClientRun]:
    """One thread per client, each with its own unit of work per transaction; all start together."""
    start = threading.Barrier(len(plans), timeout=600)
    with ThreadPoolExecutor(max_workers=len(plans), thread_name_prefix="bench-client") as pool:
        futures = [pool.submit(_client, container, warmup, timed, start) for warmup, timed in plans]
    return [_outcome(future, futures) for future in futures]


def _outcome(future: Future[_ClientRun], futures: Sequence[Future[_ClientRun]]) -> _ClientRun:
    # Report the client that failed first, not the others' broken barrier.
    errors = [f.exception() for f in futures if f.exception() is not None]
    real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
    if errors:
        raise (real or errors)[0]  # type: ignore[misc]
    return future.result()


def _verify(container: Container, *, expected: int) -> int:
    with container.uow() as uow:
        report = service.verify(uow)
    if not report.ok:
        lines = "\n".join(f"  {p.check}: {p.subject}: {p.detail}" for p in report.problems[:20])
        raise BenchmarkError(f"ledger verify failed with {len(report.problems)} problem(s):\n{lines}")
    if report.transfers != expected:
        raise BenchmarkError(f"the ledger holds {report.transfers} transfers, the benchmark posted {expected}")
    return report.transfers


# --- figures ----------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    ordered = sorted(values)
    return ordered[max(0, ceil(fraction * len(ordered)) - 1)]


def _result(scenario: Scenario, runs: Sequence[_ClientRun], ledger_transfers: int) -> Result:
    latencies = [latency for r in runs for latency in r.latencies]
    seconds = max(r.finished for r in runs) - min(r.started for r in runs)
    cpu = max(r.cpu_finished for r in runs) - min(r.cpu_started for r in runs)
    transfers = len(latencies) * scenario.batch
    return Result(
        scenario=scenario,
        transfers=transfers,
        transactions=len(latencies),
        seconds=seconds,
        per_second=transfers / seconds,
        p50_ms=percentile(latencies, 0.50) * 1_000,
        p99_ms=percentile(latencies, 0.99) * 1_000,
        client_cpu_us=cpu / transfers * 1_000_000,
        ledger_transfers=ledger_transfers,
    )
