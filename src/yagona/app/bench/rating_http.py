"""`yagona bench rating-http`: usage records posted one per request to `yagona serve
--workers N` on PostgreSQL at a paced rate for a given time (issue 17.5).

Open loop: request n is due at start + n/rate, whatever the answers before it; its latency
counts from when it was sent. A request that failed (timeout, 5xx) is posted again after
the run with the same record id — the API must absorb the replay. Then the database must
hold exactly one usage row per record sent (none lost, none charged twice) and the ledger
must verify. The server workers' resident memory (VmRSS of each `serve` child) is sampled
every half second; the largest is reported.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

import httpx
from sqlalchemy import text

from yagona.app.bench import rating, scratch
from yagona.app.bench.ledger import BenchmarkError, percentile
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


def run(url: str, *, rate: float, seconds: float, workers: int, clients: int, lines: int) -> HttpRatingResult:
    container = rating._container(url)
    with container.uow() as uow:
        for i in range(lines):
            lines_service.connect(
                uow, msisdn=rating._msisdn(i), plan_id="lider-start", deposit=Money.of_som(10_000_000)
            )  # fmt: skip
        uow.commit()
    container.engine.dispose()
    port = scratch.free_port()
    env = {
        **os.environ,
        "YAGONA_DATABASE__URL": url,
        "YAGONA_STAFF_API_KEY": STAFF_KEY,
        "YAGONA_LOG_LEVEL": "WARNING",
        "YAGONA_DATABASE__POOL_SIZE": str(max(4, clients // workers + 2)),
    }
    events = int(rate * seconds)
    with scratch.server(port, env, workers=workers, start_timeout_s=300) as process:
        sampler = _RssSampler(process.pid)
        sampler.start()
        try:
            load = _paced(f"http://127.0.0.1:{port}", events=events, rate=rate, clients=clients, lines=lines)
        finally:
            sampler.stop()
        replayed = _replay(f"http://127.0.0.1:{port}", load.failed, lines)
    rows, distinct = _count(url)
    if rows != events or distinct != events:
        raise BenchmarkError(f"{events} records sent, {rows} usage rows ({distinct} distinct): lost or doubled")
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
    )


@dataclass
class _Load:
    latencies: list[float]
    failed: list[int]
    late: int
    seconds: float


def _paced(base: str, *, events: int, rate: float, clients: int, lines: int) -> _Load:
    load = _Load([], [], 0, 0.0)
    lock = threading.Lock()
    start = perf_counter() + 0.5

    def client(offset: int) -> None:
        with httpx.Client(base_url=base, headers={"X-Api-Key": STAFF_KEY}, timeout=10) as http:
            for n in range(offset, events, clients):
                due = start + n / rate
                delay = due - perf_counter()
                if delay > 0:
                    time.sleep(delay)
                sent = perf_counter()
                try:
                    ok = http.post("/api/v1/usage", json=_record(n, lines)).status_code == 201
                except httpx.HTTPError:
                    ok = False
                took = perf_counter() - sent
                with lock:
                    if ok:
                        load.latencies.append(took)
                    else:
                        load.failed.append(n)
                    load.late += sent - due > 0.005

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = perf_counter() - start
    if not load.latencies:
        raise BenchmarkError("no usage record was accepted")
    return load


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
