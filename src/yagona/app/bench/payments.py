"""The payments benchmark: Payme CreateTransaction + PerformTransaction pairs per second over
HTTP — the real server (`yagona serve`, its own processes) over a socket, on a scratch
PostgreSQL database — with the p50 / p99 latency of a pair and of each call.

Closed loop for a fixed time: each client pays its own lines in turn (many customers paying
at once, not a queue on one line), every pair is a new Payme transaction of 1 000 so'm. The
ledger is verified afterwards and the clearing account must owe exactly what was performed.
"""

from __future__ import annotations

import base64
import os
import threading
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import httpx

from yagona.app.bench import scratch
from yagona.app.bench.ledger import BenchmarkError, percentile
from yagona.app.bench.rating import LINES, _connect_lines, _container, _msisdn, _verify
from yagona.ledger import service as ledger

KEY = "bench-payme-key-0123456789abcdef"
AMOUNT = 100_000  # tiyin: 1 000 so'm, the smallest payment


@dataclass(frozen=True, slots=True)
class PaymentsResult:
    clients: int
    workers: int
    pairs: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    create_p50_ms: float
    perform_p50_ms: float


def run(url: str, *, seconds: float, clients: int) -> PaymentsResult:
    container = _container(url)
    _connect_lines(container)
    port = scratch.free_port()
    env = {
        **os.environ,
        "YAGONA_DATABASE__URL": url,
        "YAGONA_PAYMENTS__PAYME_KEY": KEY,
        "YAGONA_LOG_LEVEL": "WARNING",
        "YAGONA_DATABASE__POOL_SIZE": "20",
    }
    with scratch.server(port, env):  # as many server processes as cores
        pairs, creates, performs, wall = _load(f"http://127.0.0.1:{port}", seconds=seconds, clients=clients)
    _verify(container)
    with container.uow() as uow:
        owed = -ledger.posted_balance(uow, code="external:payme")
    container.engine.dispose()
    if owed != AMOUNT * len(pairs):
        raise BenchmarkError(f"the clearing account owes {owed}, {len(pairs)} payments say {AMOUNT * len(pairs)}")
    return PaymentsResult(
        clients=clients,
        workers=os.cpu_count() or 1,
        pairs=len(pairs),
        seconds=wall,
        per_second=len(pairs) / wall,
        p50_ms=percentile(pairs, 0.5) * 1000,
        p99_ms=percentile(pairs, 0.99) * 1000,
        create_p50_ms=percentile(creates, 0.5) * 1000,
        perform_p50_ms=percentile(performs, 0.5) * 1000,
    )


def _load(base: str, *, seconds: float, clients: int) -> tuple[list[float], list[float], list[float], float]:
    pairs: list[float] = []
    creates: list[float] = []
    performs: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []
    token = base64.b64encode(f"Paycom:{KEY}".encode()).decode()
    started = perf_counter()
    deadline = started + seconds

    def call(http: httpx.Client, method: str, params: dict[str, Any]) -> float:
        sent = perf_counter()
        answer = http.post(
            "/api/v1/payments/payme", json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        )
        took = perf_counter() - sent
        if answer.status_code != 200 or "result" not in answer.json():
            raise BenchmarkError(f"{method} refused: {answer.text[:300]}")
        return took

    def client(number: int) -> None:
        headers = {"Authorization": f"Basic {token}"}
        n = 0
        try:
            with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
                while perf_counter() < deadline:
                    pid = f"bench-{number}-{n}"
                    account = {"phone": _msisdn((number + n * clients) % LINES)}
                    create = call(
                        http, "CreateTransaction", {"id": pid, "time": 1, "amount": AMOUNT, "account": account}
                    )
                    perform = call(http, "PerformTransaction", {"id": pid})
                    with lock:
                        creates.append(create)
                        performs.append(perform)
                        pairs.append(create + perform)
                    n += 1
        except BenchmarkError as error:
            failures.append(str(error))

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = perf_counter() - started
    if failures:
        raise BenchmarkError(failures[0])
    return pairs, creates, performs, wall
