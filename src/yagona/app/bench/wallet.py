"""The wallet benchmark: wallet-to-wallet transfers per second through the service layer
(`wallet.service.transfer`: the wallets' row locks, the PIN, the replay check, the Light
limits, the ledger batch, the receipt, the event), on SQLite and PostgreSQL.

Each client owns its own Premium wallets and sends between them, so the figure is the cost
of a transfer, not of a queue on one wallet. The PIN is checked on every transfer; Argon2id
at its production cost (~30 ms of CPU on this machine) would be the whole figure, so the
benchmark lowers it (`pin_hash_*` settings) and reports the production cost apart.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from time import perf_counter

from argon2 import PasswordHasher
from argon2.low_level import Type

from yagona.app.bench.ledger import Backend, BenchmarkError, percentile
from yagona.app.bootstrap import bootstrap
from yagona.kernel.ids import new_id
from yagona.ledger import service as ledger_service
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.settings import DatabaseSettings, Settings
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


def pin_verify_ms() -> float:
    """The production Argon2id cost of one PIN check, in milliseconds."""
    production = WalletSettings()
    hasher = PasswordHasher(
        time_cost=production.pin_hash_time_cost,
        memory_cost=production.pin_hash_memory_kib,
        parallelism=production.pin_hash_parallelism,
        type=Type.ID,
    )
    hashed = hasher.hash(PIN)
    started = perf_counter()
    for _ in range(10):
        hasher.verify(hashed, PIN)
    return (perf_counter() - started) * 100


def run(backend: Backend, url: str, *, clients: int, transfers: int) -> WalletResult:
    cheap = WalletSettings(pin_hash_time_cost=1, pin_hash_memory_kib=8, pin_hash_parallelism=1)
    engine = make_engine(url, pool_size=clients + 2)
    try:
        migrate.upgrade(engine)
        settings = Settings(env="test", database=DatabaseSettings(url=url))
        container = bootstrap(settings, engine=engine, configure_logs=False, wallet_settings=cheap)
        owned = [[f"99877{c:02d}{w:05d}" for w in range(WALLETS_PER_CLIENT)] for c in range(clients)]
        _open(container.uow, owned)
        per_client = max(1, transfers // clients)
        start = threading.Barrier(clients + 1)
        with ThreadPoolExecutor(max_workers=clients) as pool:
            futures = [pool.submit(_client, container.uow, wallets, per_client, start) for wallets in owned]
            start.wait()
            began = perf_counter()
            latencies = [latency for future in futures for latency in future.result()]
            seconds = perf_counter() - began
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


def _client(uow_factory: UnitOfWorkFactory, wallets: list[str], count: int, start: threading.Barrier) -> list[float]:
    def send(i: int) -> float:
        began = perf_counter()
        with uow_factory() as uow:
            service.transfer(
                uow,
                from_phone=wallets[i % len(wallets)],
                to_phone=wallets[(i * 7 + 1) % len(wallets)] if (i * 7 + 1) % len(wallets) != i % len(wallets)
                else wallets[(i + 1) % len(wallets)],
                amount=100 + i % 1_000,
                pin=PIN,
                idempotency_key=new_id(),
            )  # fmt: skip
            uow.commit()
        return perf_counter() - began

    for i in range(WARMUP_PER_CLIENT):
        send(i)
    start.wait()
    return [send(i) for i in range(count)]
