"""`yagona bench rating-http`: usage records posted one per request to `yagona serve
--workers N` on PostgreSQL at a paced rate for a given time (issue 17.5).

Open loop: request n is due at start + n/rate, whatever the answers before it; its latency
counts from when it was sent. A request that failed (timeout, 5xx) is posted again after
the run with the same record id — the API must absorb the replay. Then the database must
hold exactly one usage row per record sent (none lost, none charged twice) and the ledger
must verify. The server workers' resident memory (VmRSS of each `serve` child) is sampled
every half second; the largest is reported.

CPU per request over the timed part (after a warm-up of two records per connection, which
loads what a worker loads lazily): the server workers' (from /proc), PostgreSQL's backends
of the scratch database (`server_cpu`, a floor) and the generator's own.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

import httpx
from sqlalchemy import text

from yagona.app.bench import rating, scratch
from yagona.app.bench.ledger import BenchmarkError, percentile
from yagona.app.bench.server_cpu import ServerCpu, cpu_seconds
from yagona.kernel.money import Money
from yagona.lines import service as lines_service

STAFF_KEY = "bench-staff-key-0123456789abcdefghij"
PREFIX = "rh-"


@dataclass(frozen=True, slots=True)
class HttpRatingResult:
    workers: int
    clients: int
    rate: float
    seconds: float
    sent: int
    answered_201: int
    replayed: int
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    late_starts: int  # requests sent more than 5 ms after their due time (the generator fell behind)
    rows: int
    worker_rss_mb: float
    warmed: int  # records posted before the timed part (counted in `rows`)
    server_cpu_us: float  # the server workers' CPU per answered request, timed part
    worker_cpu_shares: tuple[float, ...]  # each worker's part of that CPU (is the load spread?)
    postgres_cpu_us: float  # the scratch database's backends' CPU per answered request (a floor)
    generator_cpu_us: float  # this process's CPU per answered request


def run(url: str, *, rate: float, seconds: float, workers: int, clients: int, lines: int) -> HttpRatingResult:
    container = rating._container(url)
    with container.uow() as uow:
        for i in range(lines):
            lines_service.connect(
                uow, msisdn=rating._msisdn(i), plan_id="lider-start", deposit=Money.of_som(10_000_000)
            )  # fmt: skip
        uow.commit()
    container.engine.dispose()
    scratch.analyze(url)
    port = scratch.free_port()
    env = {
        **os.environ,
        "YAGONA_DATABASE__URL": url,
        "YAGONA_STAFF_API_KEY": STAFF_KEY,
        "YAGONA_LOG_LEVEL": "WARNING",
        "YAGONA_DATABASE__POOL_SIZE": str(max(4, clients // workers + 2)),
    }
    events = int(rate * seconds)
    warmup = 2 * clients
    with scratch.server(port, env, workers=workers, start_timeout_s=300) as process:
        _settle(process.pid)
        sampler = _RssSampler(process.pid)
        sampler.start()
        cpu = _CpuWindow(process.pid, url)
        try:
            load = _paced(
                f"http://127.0.0.1:{port}", events=events, rate=rate, clients=clients, lines=lines,
                warmup=warmup, on_start=cpu.start, on_end=cpu.end,
            )  # fmt: skip
        finally:
            sampler.stop()
        replayed = _replay(f"http://127.0.0.1:{port}", load.failed, lines)
    rows, distinct = _count(url)
    if rows != events + warmup or distinct != events + warmup:
        raise BenchmarkError(
            f"{events + warmup} records sent, {rows} usage rows ({distinct} distinct): lost or doubled"
        )
    rating._verify(rating._container(url))
    return HttpRatingResult(
        workers=workers,
        clients=clients,
        rate=rate,
        seconds=load.seconds,
        sent=events,
        answered_201=len(load.latencies),
        replayed=replayed,
        per_second=len(load.latencies) / load.seconds,
        p50_ms=percentile(load.latencies, 0.5) * 1000,
        p99_ms=percentile(load.latencies, 0.99) * 1000,
        max_ms=max(load.latencies) * 1000,
        late_starts=load.late,
        rows=rows,
        worker_rss_mb=sampler.peak_kb / 1024,
        warmed=warmup,
        server_cpu_us=cpu.server_s / len(load.latencies) * 1e6,
        worker_cpu_shares=tuple(sorted((s / cpu.server_s for s in cpu.per_worker_s if s), reverse=True)),
        postgres_cpu_us=cpu.postgres_s / len(load.latencies) * 1e6,
        generator_cpu_us=cpu.generator_s / len(load.latencies) * 1e6,
    )


@dataclass
class _CpuWindow:
    """CPU of the server workers, the database's backends and this process between `start` and `end`."""

    server_pid: int
    url: str
    server_s: float = 0.0
    postgres_s: float = 0.0
    generator_s: float = 0.0
    per_worker_s: list[float] = field(default_factory=list)
    _workers: dict[int, float] = field(default_factory=dict)
    _postgres: ServerCpu | None = None

    def start(self) -> None:
        self._workers = {pid: cpu_seconds(pid) or 0.0 for pid in _children(self.server_pid) or [self.server_pid]}
        self._postgres = ServerCpu(self.url).__enter__()
        self.generator_s = -time.process_time()

    def end(self) -> None:
        self.generator_s += time.process_time()
        self.per_worker_s = [(cpu_seconds(pid) or before) - before for pid, before in self._workers.items()]
        self.server_s = sum(self.per_worker_s)
        if self._postgres is not None:
            self._postgres.__exit__(None, None, None)
            self.postgres_s = self._postgres.seconds


def _settle(server_pid: int, *, timeout_s: float = 120) -> None:
    """Wait until every server worker has started: /health answers as soon as one has, and
    connections opened before the others listen would all go to that one."""
    deadline = perf_counter() + timeout_s
    before = {pid: cpu_seconds(pid) or 0.0 for pid in _children(server_pid)}
    while perf_counter() < deadline:
        time.sleep(0.5)
        now = {pid: cpu_seconds(pid) or 0.0 for pid in _children(server_pid)}
        if now.keys() == before.keys() and all(now[pid] - before[pid] < 0.05 for pid in now):
            return  # nobody is still importing and building the app
        before = now


@dataclass
class _Load:
    latencies: list[float]
    failed: list[int]
    late: int
    seconds: float


def _paced(
    base: str,
    *,
    events: int,
    rate: float,
    clients: int,
    lines: int,
    warmup: int = 0,
    on_start: Callable[[], None] = lambda: None,
    on_end: Callable[[], None] = lambda: None,
) -> _Load:
    """Open loop over `clients` keep-alive connections, on one event loop: request n is
    written when it is due if a connection is free (else as soon as one is). Raw HTTP/1.1 on
    asyncio streams, because an HTTP client library's CPU per request (httpx: ~0.4 ms) would
    take the cores the server needs and fall behind the pace — the generator must be cheap."""
    return asyncio.run(
        _paced_async(
            base, events=events, rate=rate, clients=clients, lines=lines, warmup=warmup, on_start=on_start,
            on_end=on_end,
        )
    )  # fmt: skip


async def _paced_async(
    base: str,
    *,
    events: int,
    rate: float,
    clients: int,
    lines: int,
    warmup: int,
    on_start: Callable[[], None],
    on_end: Callable[[], None],
) -> _Load:
    host, port = base.removeprefix("http://").split(":")
    # One at a time, a few ms apart: a burst of connections is all accepted by whichever
    # server worker wakes first, and one process would then serve the whole load.
    connections = []
    for _ in range(clients):
        connections.append(await _Connection.open(host, int(port)))
        await asyncio.sleep(0.01)
    # The warm-up: records events.., each connection in turn, not timed (ids after the timed ones).
    for first in range(0, warmup, clients):
        statuses = await asyncio.gather(
            *(c.post("/api/v1/usage", _record(events + first + i, lines)) for i, c in enumerate(connections))
        )
        if any(status != 201 for status in statuses):
            raise BenchmarkError(f"the warm-up was refused: {sorted(set(statuses))}")
    free: asyncio.Queue[_Connection] = asyncio.Queue()
    for connection in connections:
        free.put_nowait(connection)
    load = _Load([], [], 0, 0.0)
    on_start()
    start = perf_counter() + 0.5
    pending: set[asyncio.Task[None]] = set()

    async def one(n: int, due: float, connection: _Connection) -> None:
        sent = perf_counter()
        load.late += sent - due > 0.005
        try:
            status = await asyncio.wait_for(connection.post("/api/v1/usage", _record(n, lines)), timeout=10)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            status = 0
            connection = await _Connection.open(host, int(port))  # a broken one is replaced
        if status == 201:
            load.latencies.append(perf_counter() - sent)
        else:
            load.failed.append(n)
        free.put_nowait(connection)

    for n in range(events):
        due = start + n / rate
        delay = due - perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        connection = await free.get()
        task = asyncio.create_task(one(n, due, connection))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)
    load.seconds = perf_counter() - start
    on_end()
    while not free.empty():
        free.get_nowait().close()
    if not load.latencies:
        raise BenchmarkError("no usage record was accepted")
    return load


class _Connection:
    """One keep-alive HTTP/1.1 connection that posts JSON and reads the status (and skips the body)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self._reader, self._writer, self._host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, host)

    async def post(self, path: str, body: dict[str, object]) -> int:
        payload = json.dumps(body, separators=(",", ":")).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host}\r\nX-Api-Key: {STAFF_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self._writer.write(head.encode() + payload)
        await self._writer.drain()
        status_line = await self._reader.readline()
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self._reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        self._writer.close()


def _replay(base: str, failed: list[int], lines: int) -> int:
    """Post again what failed: the same record id must be rated once, whatever the first try did."""
    with httpx.Client(base_url=base, headers={"X-Api-Key": STAFF_KEY}, timeout=30) as http:
        for n in failed:
            response = http.post("/api/v1/usage", json=_record(n, lines))
            if response.status_code not in (200, 201):
                raise BenchmarkError(f"the replay of record {n} was refused: {response.text[:200]}")
    return len(failed)


def _count(url: str) -> tuple[int, int]:
    from yagona.platform.db import make_engine  # noqa: PLC0415 - a fresh engine after the server

    checker = make_engine(url)
    try:
        with checker.connect() as connection:
            row = connection.execute(
                text("SELECT count(*), count(DISTINCT record_id) FROM lines_usage WHERE record_id LIKE :p"),
                {"p": f"{PREFIX}%"},
            ).one()
    finally:
        checker.dispose()
    return int(row[0]), int(row[1])


def _record(n: int, lines: int) -> dict[str, object]:
    """The rating bench's mix of usage, spread over `lines` lines, under this run's ids."""
    return {**rating._record(n), "id": f"{PREFIX}{n}", "msisdn": rating._msisdn(n % lines)}


class _RssSampler(threading.Thread):
    """The largest VmRSS among the server's worker processes (children of `pid`)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.5):
            for child in _children(self.pid) or [self.pid]:
                self.peak_kb = max(self.peak_kb, _rss_kb(child))

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
