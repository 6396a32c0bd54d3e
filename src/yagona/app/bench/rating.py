"""Rating benchmark: usage events rated and committed per second through the service layer
(SQLite), through the HTTP API on PostgreSQL at a paced rate, and a 1 001-step sandbox run.

Each scenario runs on a fresh database; the ledger must verify at the end.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from time import perf_counter

import httpx

from yagona.app.bench import scratch
from yagona.app.bench.ledger import BenchmarkError, percentile
from yagona.app.bootstrap import Container, bootstrap
from yagona.app.sandbox import runner as sandbox_runner
from yagona.app.sandbox.scenario import load as load_scenario
from yagona.app.sandbox.verbs import VERBS
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.lines import service as lines
from yagona.lines.schemas import UsageRecord
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings

START = datetime(2026, 3, 1, 10, 0, tzinfo=TASHKENT)
LINES = 200


@dataclass(frozen=True, slots=True)
class Row:
    scenario: str
    events: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float


def _msisdn(i: int) -> str:
    return f"9989010{i:05d}"


def _container(url: str, *, defer: bool = True) -> Container:
    """As production runs: the bonus programme's accruals deferred to the worker's drain (the
    charge pays for an outbox row; `yagona bench loyalty` measures the drain)."""
    engine = make_engine(url, pool_size=20)
    migrate.upgrade(engine)
    settings = Settings(env="test", database={"url": url}, log_level="WARNING", bus={"defer": defer})
    return bootstrap(settings, clock=SimulatedClock(START), engine=engine, configure_logs=False)


def _connect_lines(container: Container) -> None:
    with container.uow() as uow:
        for i in range(LINES):
            lines.connect(uow, msisdn=_msisdn(i), plan_id="lider-start", deposit=Money.of_som(10_000_000))
        uow.commit()


def _usage(n: int) -> UsageRecord:
    """A realistic mix: most calls from the bundle, some paid international, SMS and data."""
    msisdn, record = _msisdn(n % LINES), f"bench-{n}"
    kind = n % 10
    if kind < 6:
        return UsageRecord(id=record, msisdn=msisdn, type="voice", to="998931234567", seconds=45 + n % 200)
    if kind == 6:
        return UsageRecord(id=record, msisdn=msisdn, type="voice", to="79161234567", seconds=61)
    if kind in (7, 8):
        return UsageRecord(id=record, msisdn=msisdn, type="sms", to="998941112233")
    return UsageRecord(id=record, msisdn=msisdn, type="data", mb=Decimal("3.5"))


def service_layer(url: str, *, events: int, per_commit: int, defer: bool = True) -> Row:
    container = _container(url, defer=defer)
    _connect_lines(container)
    latencies: list[float] = []
    started = perf_counter()
    for first in range(0, events, per_commit):
        begun = perf_counter()
        with container.uow() as uow:
            records = [_usage(n) for n in range(first, min(first + per_commit, events))]
            if per_commit == 1:
                lines.rate_usage(uow, record=records[0])
            else:  # the batch path: a CDR file or a bus fetch rated with a few round trips
                outcomes = lines.rate_usages(uow, records=records)
                if failed := [o for o in outcomes if isinstance(o, Exception)]:
                    raise BenchmarkError(f"{len(failed)} records refused: {failed[0]}")
            uow.commit()
        latencies.append(perf_counter() - begun)
    seconds = perf_counter() - started
    _verify(container)
    return Row(
        f"service layer, SQLite, {per_commit} per commit",
        events,
        seconds,
        events / seconds,
        percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.99) * 1000,
    )


def http_api(url: str, *, events: int, rate: float, clients: int) -> Row:
    """The real server in its own process; clients post usage records at a paced total rate."""
    container = _container(url)
    _connect_lines(container)
    port = scratch.free_port()
    env = {
        **os.environ,
        "YAGONA_DATABASE__URL": url,
        "YAGONA_STAFF_API_KEY": "bench-staff-key-0123456789abcdefghij",
        "YAGONA_LOG_LEVEL": "WARNING",
        "YAGONA_DATABASE__POOL_SIZE": "20",
    }
    with scratch.server(port, env):
        latencies = _paced_load(f"http://127.0.0.1:{port}", events=events, rate=rate, clients=clients)
    _verify(container)
    seconds = latencies.pop()
    return Row(
        f"HTTP API, PostgreSQL, {os.cpu_count()} server processes, paced at {rate:,.0f}/s, {clients} clients",
        len(latencies),
        seconds,
        len(latencies) / seconds,
        percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.99) * 1000,
    )


def sandbox(*, steps: int) -> list[Row]:
    """A scenario of `steps` steps: parsed and run in this process (the sandbox's own speed),
    and through `python -m yagona simulate` (interpreter start and imports included). Wall
    seconds, and the CPU seconds (user + system) that a shared machine does not inflate."""
    body = [
        "name: bench",
        'start: "2026-03-01T10:00:00+05:00"',
        "steps:",
        '  - line.connect: {msisdn: "998901000001", plan: lider-start, deposit: 1000000}',
    ]
    for n in range(steps - 1):
        kind = n % 4
        if kind == 0:
            body.append(f'  - line.call: {{msisdn: "998901000001", to: "998931234567", seconds: {30 + n % 300}}}')
        elif kind == 1:
            body.append('  - line.sms: {msisdn: "998901000001", to: "998931234567"}')
        elif kind == 2:
            body.append('  - line.data: {msisdn: "998901000001", mb: 1.5}')
        else:
            body.append("  - advance: {by: PT1H}")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bench.yaml"
        path.write_text("\n".join(body) + "\n")
        started, cpu = perf_counter(), time.process_time()
        result = sandbox_runner.run(load_scenario(path, verbs={verb: fields for verb, (fields, _) in VERBS.items()}))
        in_process, in_process_cpu = perf_counter() - started, time.process_time() - cpu
        if not all(step["ok"] for step in result["steps"]):
            raise BenchmarkError("a sandbox step was refused")
        load = os.getloadavg()[0]
        started, children = perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        run = subprocess.run(  # noqa: S603 - our own interpreter and command, no outside input
            [sys.executable, "-m", "yagona", "simulate", str(path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        whole, after = perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
        whole_cpu = after.ru_utime - children.ru_utime + after.ru_stime - children.ru_stime
    if run.returncode != 0 or '"ok": false' in run.stdout:
        raise BenchmarkError(f"the sandbox run failed: {run.stderr[-500:]}")
    return [
        Row(
            f"sandbox, {steps} steps, in process, CPU {in_process_cpu:.2f} s",
            steps,
            in_process,
            steps / in_process,
            0,
            0,
        ),
        Row(
            f"sandbox, {steps} steps, `yagona simulate` process, CPU {whole_cpu:.2f} s, load {load:.1f}",
            steps,
            whole,
            steps / whole,
            0,
            0,
        ),
    ]


def _verify(container: Container) -> None:
    with container.uow() as uow:
        report = ledger.verify(uow)
    container.engine.dispose()
    if not report.ok:
        raise BenchmarkError(f"ledger verify failed: {report.problems[:3]}")


def _paced_load(base: str, *, events: int, rate: float, clients: int) -> list[float]:
    """Open-loop pacing: request n is due at start + n/rate; its latency counts from when it
    was sent. The last element returned is the wall time of the whole run."""
    latencies: list[float] = []
    lock = threading.Lock()
    headers = {"X-Api-Key": "bench-staff-key-0123456789abcdefghij"}
    start = perf_counter() + 0.5

    def client(offset: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            for n in range(offset, events, clients):
                delay = start + n / rate - perf_counter()
                if delay > 0:
                    time.sleep(delay)
                body = _record(n)
                sent = perf_counter()
                response = http.post("/api/v1/usage", json=body)
                took = perf_counter() - sent
                if response.status_code != 201:
                    raise BenchmarkError(f"usage record refused: {response.text}")
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(latencies) != events:
        raise BenchmarkError(f"{events - len(latencies)} requests failed")
    return [*latencies, perf_counter() - start]


def _record(n: int) -> dict[str, object]:
    msisdn, record = _msisdn(n % LINES), f"http-{n}"
    if n % 10 < 7:
        return {"id": record, "msisdn": msisdn, "type": "voice", "to": "998931234567", "seconds": 45 + n % 200}
    if n % 10 < 9:
        return {"id": record, "msisdn": msisdn, "type": "sms", "to": "998941112233"}
    return {"id": record, "msisdn": msisdn, "type": "data", "mb": 3.5}  # a JSON number: the API refuses a string


Runner = Callable[[], Row]
