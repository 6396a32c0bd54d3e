"""The wallet benchmark: wallet-to-wallet transfers per second through the service layer
(`wallet.service.WalletOrders.transfer`, as the REST and the pages place them: the wallets'
row locks, the PIN, the replay check, the Light limits, the ledger batch, the receipt, the
event, the commit), on SQLite and PostgreSQL, with group commit on (concurrent transfers
share a transaction) and off (each its own), and the process's CPU time per transfer.

Each client owns its own Premium wallets and sends between them, so the figure is the cost
of a transfer, not of a queue on one wallet. The PIN is checked on every transfer at its
production cost (HMAC-SHA-256 with the pepper, a few microseconds); the Argon2id check it
replaced (~30 ms of CPU here, still run for PINs stored before) is reported apart.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from time import perf_counter

from yagona.app.bench import scratch
from yagona.app.bench.ledger import Backend, BenchmarkError, percentile
from yagona.app.bootstrap import bootstrap
from yagona.kernel.ids import new_id
from yagona.ledger import service as ledger_service
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.settings import BusSettings, DatabaseSettings, GroupCommitSettings, Settings
from yagona.platform.uow import UnitOfWorkFactory
from yagona.wallet import service
from yagona.wallet.settings import WalletSettings

PIN = "13579"
WALLETS_PER_CLIENT = 20
WARMUP_PER_CLIENT = 50
FUNDS_SOM = 10_000_000
_BIRTH = date(1990, 1, 1)


@dataclass(frozen=True, slots=True)
class WalletResult:
    backend: Backend
    clients: int
    transfers: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    grouped: bool
    cpu_us: float  # the process's CPU time (every thread) per timed transfer
    mean_group: float  # transfers per commit (1 when group commit is off)


def pin_verify_ms() -> tuple[float, float]:
    """One PIN check in milliseconds: the peppered HMAC of today, the Argon2id of before
    (OWASP's parameters, which stored PINs carry until their next success)."""
    peppers = WalletSettings().pin_peppers("bench-secret-key")
    hashed = service.hash_pin(PIN, pepper_id="1", pepper=peppers["1"])
    started = perf_counter()
    for _ in range(1_000):
        service.check_pin_hash(hashed, PIN, peppers=peppers, current="1")
    hmac_ms = perf_counter() - started
    legacy = service.pin_hasher(time_cost=2, memory_kib=19_456, parallelism=1).hash(PIN)
    started = perf_counter()
    for _ in range(10):
        service.check_pin_hash(legacy, PIN, peppers=peppers, current="1")
    return hmac_ms, (perf_counter() - started) * 100


def run(
    backend: Backend, url: str, *, clients: int, transfers: int, group: GroupCommitSettings | None = None
) -> WalletResult:
    group = group or GroupCommitSettings()
    engine = make_engine(url, pool_size=clients + 2)
    try:
        migrate.upgrade(engine)
        # The bus as production wires it: deferred consumers (reminders, the bonus programme)
        # are the worker's drain's work, not the request's; those that run at commit (the
        # CRM timeline) are paid by the producer, inside the figure.
        settings = Settings(
            env="test", database=DatabaseSettings(url=url), group_commit=group, bus=BusSettings(defer=True)
        )
        container = bootstrap(settings, engine=engine, configure_logs=False, wallet_settings=WalletSettings())
        owned = [[f"99877{c:02d}{w:05d}" for w in range(WALLETS_PER_CLIENT)] for c in range(clients)]
        _open(container.uow, owned)
        if backend is Backend.POSTGRES:
            scratch.analyze(url)
        sizes: list[int] = []
        orders = service.WalletOrders(container.uow, group, on_group=sizes.append)
        per_client = max(1, transfers // clients)
        start = threading.Barrier(clients + 1)
        with ThreadPoolExecutor(max_workers=clients) as pool:
            futures = [pool.submit(_client, orders, wallets, per_client, start) for wallets in owned]
            start.wait()
            sizes.clear()
            began, cpu = perf_counter(), time.process_time()
            latencies = [latency for future in futures for latency in future.result()]
            seconds, cpu = perf_counter() - began, time.process_time() - cpu
        orders.close()
        with container.uow() as uow:
            report = ledger_service.verify(uow)
            total = sum(service.get(uow, phone=p).balance for wallets in owned for p in wallets)
        if not report.ok or total != clients * WALLETS_PER_CLIENT * FUNDS_SOM * 100:
            raise BenchmarkError(f"the ledger broke under load: {report.problems[:3]}, total {total}")
    finally:
        engine.dispose()
    return WalletResult(
        backend=backend,
        clients=clients,
        transfers=len(latencies),
        seconds=seconds,
        per_second=len(latencies) / seconds,
        p50_ms=percentile(latencies, 0.5) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        grouped=group.enabled,
        cpu_us=cpu / len(latencies) * 1e6,
        mean_group=sum(sizes) / len(sizes) if sizes else 1.0,
    )


def _open(uow_factory: UnitOfWorkFactory, owned: list[list[str]]) -> None:
    with uow_factory() as uow:
        for wallets in owned:
            for phone in wallets:
                service.register(
                    uow, customer_id=f"bench-{phone}", phone=phone, pin=PIN, birth_date=_BIRTH, accept_offer=True,
                    offer_version=service.current().settings.offer_version,
                )  # fmt: skip
                service.identify(uow, phone=phone, document="AB0000000", staff="bench")
                service.topup(uow, phone=phone, amount=FUNDS_SOM * 100, source="promo", idempotency_key=new_id())
        uow.commit()


def _client(orders: service.WalletOrders, wallets: list[str], count: int, start: threading.Barrier) -> list[float]:
    def send(i: int) -> float:
        began = perf_counter()
        orders.transfer(
            from_phone=wallets[i % len(wallets)],
            to_phone=wallets[(i * 7 + 1) % len(wallets)] if (i * 7 + 1) % len(wallets) != i % len(wallets)
            else wallets[(i + 1) % len(wallets)],
            amount=100 + i % 1_000,
            pin=PIN,
            idempotency_key=new_id(),
        )  # fmt: skip
        return perf_counter() - began

    for i in range(WARMUP_PER_CLIENT):
        send(i)
    start.wait()
    return [send(i) for i in range(count)]
