"""Mediation benchmark: K usage records through JetStream to one and to two rating worker
processes on PostgreSQL, end to end (published → rated, committed, acknowledged).

The workers are started and bound to the consumer first, so that interpreter start-up is
not counted; then the records are published and the clock runs until the consumer holds
nothing pending or unacknowledged. Each run has a fresh database and stream; every record
must be rated exactly once and the ledger must verify.
"""

from __future__ import annotations

import asyncio
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from time import perf_counter

import nats
from sqlalchemy import text

from yagona.app.bench import rating as rating_bench
from yagona.app.bench.ledger import BenchmarkError
from yagona.app.bootstrap import Container, bootstrap
from yagona.app.mediation import cdr
from yagona.app.mediation.publish import publish_rows
from yagona.app.mediation.settings import MediationSettings
from yagona.app.mediation.stream import ensure_consumer, nats_url
from yagona.kernel.clock import SystemClock
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.lines import service as lines
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings


@dataclass(frozen=True, slots=True)
class Row:
    workers: int
    records: int
    publish_seconds: float
    seconds: float  # publish start → the last record acknowledged

    @property
    def per_second(self) -> float:
        return self.records / self.seconds


def _container(url: str) -> Container:
    engine = make_engine(url, pool_size=4)
    migrate.upgrade(engine)
    settings = Settings(env="test", database={"url": url}, log_level="WARNING")
    container = bootstrap(settings, clock=SystemClock(), engine=engine, configure_logs=False)
    with container.uow() as uow:
        for i in range(rating_bench.LINES):
            lines.connect(uow, msisdn=rating_bench._msisdn(i), plan_id="lider-start", deposit=Money.of_som(10_000_000))
        uow.commit()
    return container


def _rows(records: int) -> list[cdr.Row]:
    rows = []
    for n in range(records):
        record = rating_bench._usage(n)
        rows.append(cdr.Row(n + 2, record, record.model_dump(by_alias=True, exclude_none=True)))
    return rows


def _start(env: dict[str, str], workers: int) -> list[subprocess.Popen[str]]:
    """The workers, each bound to the consumer (it said so) before this returns."""
    ready: queue.Queue[int] = queue.Queue()
    processes = []
    for number in range(workers):
        process = subprocess.Popen(
            [sys.executable, "-m", "yagona", "mediation", "rate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=_watch, args=(process, number, ready), daemon=True).start()
        processes.append(process)
    deadline = time.monotonic() + 120
    for _ in range(workers):
        try:
            ready.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            _stop(processes)
            raise BenchmarkError("a rating worker did not start") from None
    return processes


def _watch(process: subprocess.Popen[str], number: int, ready: queue.Queue[int]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if "mediation_worker_ready" in line:
            ready.put(number)
        elif "error" in line.lower() or "exception" in line.lower():
            sys.stderr.write(f"worker {number}: {line}")


def _stop(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


async def _drained(settings: MediationSettings, records: int, timeout_s: float) -> None:
    connection = await nats.connect(nats_url(settings))
    try:
        js = connection.jetstream()
        deadline = time.monotonic() + timeout_s
        while True:
            info = await js.consumer_info(settings.stream, settings.durable)
            if info.delivered.stream_seq >= records and not info.num_pending and not info.num_ack_pending:
                return
            if time.monotonic() > deadline:
                raise BenchmarkError(f"not drained after {timeout_s} s: {info.num_pending} pending")
            await asyncio.sleep(0.02)
    finally:
        await connection.close()


async def _prepare(settings: MediationSettings) -> None:
    connection = await nats.connect(nats_url(settings))
    try:
        await ensure_consumer(connection.jetstream(), settings)
    finally:
        await connection.close()


async def _remove(settings: MediationSettings) -> None:
    connection = await nats.connect(nats_url(settings))
    try:
        await connection.jetstream().delete_stream(settings.stream)
    finally:
        await connection.close()


def run(url: str, server: str, *, records: int, workers: int, batch_size: int) -> Row:
    container = _container(url)
    tag = uuid.uuid4().hex[:8]
    settings = MediationSettings(
        nats_url=server,
        stream=f"BENCH_{tag.upper()}",
        subject_prefix=f"bench{tag}.usage",
        batch_size=batch_size,
        fetch_wait_s=0.2,
    )
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "YAGONA_ENV": "test",
        "YAGONA_LOG_LEVEL": "INFO",
        "YAGONA_DATABASE__URL": url,
        "YAGONA_MEDIATION_NATS_URL": server,
        "YAGONA_MEDIATION_STREAM": settings.stream,
        "YAGONA_MEDIATION_SUBJECT_PREFIX": settings.subject_prefix,
        "YAGONA_MEDIATION_BATCH_SIZE": str(batch_size),
        "YAGONA_MEDIATION_FETCH_WAIT_S": "0.2",
    }
    rows = _rows(records)
    asyncio.run(_prepare(settings))
    processes = _start(env, workers)
    try:
        started = perf_counter()
        published = asyncio.run(publish_rows(rows, settings))
        publish_seconds = perf_counter() - started
        if published.published != records:
            raise BenchmarkError(f"published {published.published} of {records}: {published.refused[:1]}")
        asyncio.run(_drained(settings, records, timeout_s=600))
        seconds = perf_counter() - started
    finally:
        _stop(processes)
        asyncio.run(_remove(settings))
    with container.uow() as uow:
        rated = uow.session.scalar(text("SELECT count(*) FROM lines_usage"))
        report = ledger.verify(uow)
    if rated != records or not report.ok:
        raise BenchmarkError(f"{rated} of {records} rated; ledger {report.problems or 'ok'}")
    container.engine.dispose()
    return Row(workers, records, publish_seconds, seconds)
