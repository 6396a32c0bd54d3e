"""The side-by-side ledger benchmark: pgledger (pgbench's C client) and Yagona, the same
shapes, one PostgreSQL, one run.

Yagona is driven the way it is deployed: 8 clients (like pgbench's 8 connections), each
with one request in flight, driven by 2 client processes (like pgbench's `-j 2` threads),
send requests over Unix socket pairs to Yagona's server processes, each serving its clients from one
loop (`Loop`) through the public `ledger.group.LedgerPoster` — `service.post` with group
commit. A request is timed in the client from sending it to its answer, which arrives only
after the commit. The transport carries a line of text per request — the key,
then debit, credit and amount per transfer (`encode`) — thinner than HTTP, as pgbench's
protocol is thinner than an application's; the server validates each transfer as the API
does (`TransferCreate`).

The default deployment is one server process per core (`--workers 0`), as `yagona serve
--workers N` is deployed: here 2, each serving 4 of the 8 clients in groups of up to 4. While
one process's group is in the database (its locks, its WAL flush), the other gathers and
posts the next, so the database's flush waits overlap the other process's work. One process
(`--workers 1`) makes groups of 8 but runs them one after another: each waits for the whole
round (its clients' turnaround, its Python, the call and the flush) before the next starts —
measured on this machine (2026-11-30), 3 300 to 3 400 transfers/s against 4 500 to 5 500/s with two.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import selectors
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from yagona.app.bench.ledger import BenchmarkError, percentile
from yagona.app.bench.peer import CUSTOMERS, Figures, Shape
from yagona.app.bench.server_cpu import ServerCpu
from yagona.app.bootstrap import bootstrap
from yagona.kernel.errors import YagonaError
from yagona.ledger import service
from yagona.ledger.group import Answer, LedgerPoster, PostRequest
from yagona.ledger.schemas import AccountCreate, TransferCreate, Unit
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.settings import DatabaseSettings, GroupCommitSettings, LimitSettings, Settings

REVENUE = "operator:revenue"
WORLD = "external:world"
WARMUP = 30  # requests per client before the clock starts
CLIENT_PROCESSES = 2  # the 8 clients are driven by 2 processes, as pgbench's -j 2 threads


class Server(StrEnum):
    LOOP = "loop"  # one thread serves every client of a server process (`Loop`)
    THREADS = "threads"  # a thread per client, each calling `LedgerPoster.post`


@dataclass(frozen=True, slots=True)
class Setup:
    """How Yagona is deployed for the run: its settings that matter here."""

    group_commit: GroupCommitSettings
    workers: int  # server processes; 0 (the default): one per core — see the module's doc
    pre_ping: bool  # YAGONA_DATABASE__PRE_PING: a round trip per transaction (or group)
    server: Server = Server.LOOP


DEFAULT_SETUP = Setup(GroupCommitSettings(), workers=0, pre_ping=True)

Wire = tuple[str, list[tuple[str, str, int]]]  # (idempotency key, [(debit, credit, amount)])
END = b""  # a client's last message (or its socket closed): it sends no more
MESSAGE_MAX = 65_536
Conn = socket.socket  # one end of a client's socket pair (AF_UNIX, SOCK_SEQPACKET): a message per send


def socket_pair() -> tuple[Conn, Conn]:
    """A client's line to its server: each message one `send` and one `recv`, its bounds
    kept by the socket (a `multiprocessing` pipe takes a header, two reads and a pickle)."""
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


def encode(wire: Wire) -> bytes:
    """A request as its socket carries it: `key` then `debit credit amount` per transfer, tab-separated."""
    key, transfers = wire
    return "\t".join([key, *(f"{d}\t{c}\t{a}" for d, c, a in transfers)]).encode()


def decode(message: bytes) -> tuple[str, tuple[TransferCreate, ...]]:
    """The key and the transfers of a request, validated as the API validates them."""
    key, *fields = message.decode().split("\t")
    return key, tuple(
        TransferCreate(debit=fields[i], credit=fields[i + 1], amount=int(fields[i + 2]), reason="payment")
        for i in range(0, len(fields), 3)
    )


def encode_answer(outcome: Answer | YagonaError) -> bytes:
    """`ok <transfers posted>`, or the refusal's code."""
    return f"ok {len(outcome)}".encode() if isinstance(outcome, list) else outcome.code.encode()


@dataclass(frozen=True, slots=True)
class ClientRun:
    started: float
    finished: float
    latencies: list[float]
    transfers: int  # acknowledged, warm-up included
    refused: int
    cpu_s: float  # this client process's CPU from its first request, warm-up included


def _settings(url: str, setup: Setup) -> Settings:
    return Settings(
        env="test",
        database=DatabaseSettings(url=url, pre_ping=setup.pre_ping),
        limits=LimitSettings(),
        group_commit=setup.group_commit,
    )


def customer(n: int) -> str:
    return f"customer:c{n}"


def prepare(url: str) -> int:
    """Migrate, open revenue (one row, like pgledger's), world and 100 funded customers."""
    engine = make_engine(url, pool_size=2)
    try:
        migrate.upgrade(engine)
        container = bootstrap(_settings(url, DEFAULT_SETUP), engine=engine, configure_logs=False)
        with container.uow() as uow:
            for code, kind, negative in [
                (REVENUE, "revenue", True),
                (WORLD, "external", True),
                *[(customer(n), "customer", False) for n in range(1, CUSTOMERS + 1)],
            ]:
                spec = AccountCreate(code=code, owner=code, kind=kind, unit=Unit.SOM, allow_negative=negative)
                service.open_account(uow, account=spec)
            funding = [
                TransferCreate(debit=WORLD, credit=customer(n), amount=10**12, reason="funding")
                for n in range(1, CUSTOMERS + 1)
            ]
            service.post(uow, transfers=funding, idempotency_key="bench:funding")
            uow.commit()
    finally:
        engine.dispose()
    return CUSTOMERS


def _request(shape: Shape, rng: random.Random, key: str) -> Wire:
    amount = rng.randint(100, 100_000)
    a = rng.randint(1, CUSTOMERS)
    if not shape.hot:
        b = 1 + (a + rng.randint(0, CUSTOMERS - 2)) % CUSTOMERS
        return key, [(customer(a), customer(b), amount)]
    step = CUSTOMERS // shape.per_request
    return key, [(customer(1 + (a + k * step) % CUSTOMERS), REVENUE, amount) for k in range(shape.per_request)]


class _Lane:
    """One of the 8 clients: its pipe, its random draws, its one request in flight."""

    __slots__ = ("conn", "number", "rng", "sent", "since")

    def __init__(self, number: int, conn: Conn, shape: Shape) -> None:
        self.number = number
        self.conn = conn
        self.rng = random.Random(number * 7_919 + ord(shape.name))
        self.sent = 0
        self.since = 0.0


def _client(lanes_of: Sequence[tuple[int, Conn]], shape: Shape, seconds: float, *, start: Any, results: Any) -> None:
    """A client process driving its share of the clients, each with one request in flight
    at a time — as pgbench's threads (-j 2) drive its connections."""
    ready = time.process_time()  # after the fork: not a request's work
    lanes = [_Lane(number, conn, shape) for number, conn in lanes_of]
    refused = acked = 0
    latencies: list[float] = []

    def send(lane: _Lane) -> None:
        lane.conn.send(encode(_request(shape, lane.rng, f"sbs:{shape.name}:{lane.number}:{lane.sent}")))
        lane.sent += 1
        lane.since = time.monotonic()

    def drive(done: Any, timed: bool) -> None:
        nonlocal acked, refused
        selector = selectors.DefaultSelector()  # one for the run, as the server's loop
        for lane in lanes:
            selector.register(lane.conn, selectors.EVENT_READ, lane)
            send(lane)
        active = len(lanes)
        while active:
            for key, _ in selector.select():
                lane = key.data
                status, _, count = lane.conn.recv(MESSAGE_MAX).partition(b" ")
                if timed:
                    latencies.append(time.monotonic() - lane.since)
                if status == b"ok":
                    acked += int(count)
                else:
                    refused += 1
                if done(lane):
                    selector.unregister(lane.conn)
                    active -= 1
                else:
                    send(lane)
        selector.close()

    drive(lambda lane: lane.sent >= WARMUP, timed=False)
    start.wait()
    started = time.monotonic()
    deadline = started + seconds
    drive(lambda _: time.monotonic() >= deadline, timed=True)
    for lane in lanes:
        lane.conn.send(END)
    results.put(ClientRun(started, time.monotonic(), latencies, acked, refused, time.process_time() - ready))


def _worker(url: str, conns: Sequence[Conn], setup: Setup, stats: Any) -> None:
    settings = _settings(url, setup)
    engine = make_engine(url, pool_size=len(conns) + 2, pre_ping=settings.database.pre_ping)
    container = bootstrap(settings, engine=engine, configure_logs=False)
    sizes: list[int] = []
    poster = LedgerPoster(container.uow, settings.group_commit, on_group=sizes.append, engine=container.engine)
    ready = time.process_time()  # the process's setup is not a transfer's work

    def serve(conn: Conn) -> None:
        while (message := conn.recv(MESSAGE_MAX)) != END:
            key, transfers = decode(message)
            try:
                conn.send(encode_answer(poster.post(transfers=transfers, idempotency_key=key)))
            except YagonaError as error:
                conn.send(encode_answer(error))

    if setup.server == Server.LOOP:
        Loop(poster, conns, setup.group_commit).run()
    else:
        threads = [threading.Thread(target=serve, args=(conn,)) for conn in conns]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    poster.close()
    engine.dispose()
    stats.put((sizes, time.process_time() - ready))


class Loop:
    """Every client of a server process from one thread, as an event loop serves them. The
    requests that arrive are gathered as the poster's own gathering does — until every
    client not in a running group has one in (each has one request in flight at most),
    `window_ms` after the first, or `max_size` — and posted as one group by
    `LedgerPoster.post_many`; up to `concurrent_groups` groups run at once (then a group's
    database call runs on a thread of a small pool, and the loop gathers the next meanwhile).
    Each answer goes back after its group's commit."""

    def __init__(self, poster: LedgerPoster, conns: Sequence[Conn], gathering: GroupCommitSettings) -> None:
        self.poster = poster
        self.window_s = gathering.window_ms / 1_000 if gathering.enabled else 0.0
        self.max_size = gathering.max_size
        self.slots = gathering.concurrent_groups
        self.open = set(conns)
        self.waiting: list[tuple[Conn, PostRequest]] = []
        self.busy: set[Conn] = set()  # clients whose request is waiting or in a running group
        self.running: dict[Future[list[Answer | YagonaError]], list[Conn]] = {}  # a group's clients
        self.deadline = 0.0
        self.done_reader, self.done_writer = socket_pair()  # a pool thread's group has ended
        # One selector for the whole run (`multiprocessing.connection.wait` builds one per call). A
        # client stays registered while its request runs: it sends nothing until answered.
        self.selector = selectors.DefaultSelector()
        for conn in [*conns, self.done_reader]:
            self.selector.register(conn, selectors.EVENT_READ)

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=self.slots) as pool:
            while self.open or self.running:
                self.receive()
                self.answer()
                while len(self.running) < self.slots and self.ready():
                    self.start(pool)
        self.selector.close()
        self.done_reader.close()
        self.done_writer.close()

    def receive(self) -> None:
        # Until the gathering's time is up — when a group could then start; else until a
        # request arrives or a running group ends.
        could_start = self.waiting and len(self.running) < self.slots
        timeout = max(0.0, self.deadline - time.monotonic()) if could_start else None
        for key, _ in self.selector.select(timeout):
            if key.fileobj is self.done_reader:
                self.done_reader.recv(MESSAGE_MAX)
                continue
            conn: Conn = key.fileobj  # type: ignore[assignment]
            message = conn.recv(MESSAGE_MAX)
            if message == END:
                self.selector.unregister(conn)
                self.open.discard(conn)
                continue
            idempotency_key, transfers = decode(message)
            if not self.waiting:
                self.deadline = time.monotonic() + self.window_s
            self.waiting.append((conn, PostRequest(transfers, idempotency_key)))
            self.busy.add(conn)

    def ready(self) -> bool:
        """A group may start: every client not in a running group has sent, or it is full, or time is up."""
        if not self.waiting:
            return False
        expected = len([conn for conn in self.open if conn not in self.busy]) + len(self.waiting)
        return len(self.waiting) >= min(expected, self.max_size) or time.monotonic() >= self.deadline

    def start(self, pool: ThreadPoolExecutor) -> None:
        group, self.waiting = self.waiting[: self.max_size], self.waiting[self.max_size :]
        conns, requests = [conn for conn, _ in group], [request for _, request in group]
        if self.slots == 1:  # one group at a time: in this thread, no hand-over to the pool's
            self.reply(conns, self.poster.post_many(requests))
        else:
            future = pool.submit(self.poster.post_many, requests)
            self.running[future] = conns
            future.add_done_callback(lambda _: self.done_writer.send(b"."))
        self.deadline = time.monotonic() + self.window_s

    def answer(self) -> None:
        for future in [f for f in self.running if f.done()]:
            self.reply(self.running.pop(future), future.result())

    def reply(self, conns: list[Conn], outcomes: list[Answer | YagonaError]) -> None:
        for conn, outcome in zip(conns, outcomes, strict=True):
            conn.send(encode_answer(outcome))
            self.busy.discard(conn)


def run(url: str, shape: Shape, seconds: float, setup: Setup) -> tuple[Figures, float]:
    """Yagona under `shape` for `seconds`; returns its figures and the mean group size."""
    prepare(url)
    context = multiprocessing.get_context("fork")
    workers = max(1, min(setup.workers or os.cpu_count() or 1, shape.clients))
    pipes = [socket_pair() for _ in range(shape.clients)]
    client_processes = min(CLIENT_PROCESSES, shape.clients)
    start = context.Barrier(client_processes)
    results, stats = context.Queue(), context.Queue()
    processes = [
        context.Process(
            target=_worker,
            args=(url, [pipes[c][1] for c in range(w, shape.clients, workers)], setup, stats),
        )
        for w in range(workers)
    ] + [
        context.Process(
            target=_client,
            args=([(c, pipes[c][0]) for c in range(p, shape.clients, client_processes)], shape, seconds),
            kwargs={"start": start, "results": results},
        )
        for p in range(client_processes)
    ]
    with ServerCpu(url) as server:
        for process in processes:
            process.start()
        for end in (end for pair in pipes for end in pair):
            end.close()  # the processes hold their own copies
        runs = [results.get(timeout=seconds + 300) for _ in range(client_processes)]
        worker_stats = [stats.get(timeout=60) for _ in range(workers)]
    sizes = [size for group_sizes, _ in worker_stats for size in group_sizes]
    posted = sum(r.transfers for r in runs)  # CPU figures cover the warm-up too: per posted transfer
    app_cpu = sum(cpu for _, cpu in worker_stats)
    client_cpu = app_cpu + sum(r.cpu_s for r in runs)
    for process in processes:
        process.join(timeout=60)
    if any(p.exitcode != 0 for p in processes):
        raise BenchmarkError("a Yagona client or worker process failed")
    refused = sum(r.refused for r in runs)
    if refused:
        raise BenchmarkError(f"{refused} requests were refused: the shape must post every request")
    _verify(url, expected=CUSTOMERS + posted)
    latencies = [latency * 1_000 for r in runs for latency in r.latencies]
    elapsed = max(r.finished for r in runs) - min(r.started for r in runs)
    transfers = len(latencies) * shape.per_request
    figures = Figures(
        transfers=transfers,
        seconds=elapsed,
        per_second=transfers / elapsed,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        server_cpu_us=server.seconds / posted * 1e6,
        client_cpu_us=client_cpu / posted * 1e6,
        app_cpu_us=app_cpu / posted * 1e6,
    )
    return figures, (sum(sizes) / len(sizes) if sizes else 0.0)


def _verify(url: str, *, expected: int) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        container = bootstrap(_settings(url, DEFAULT_SETUP), engine=engine, configure_logs=False)
        with container.uow() as uow:
            report = service.verify(uow)
    finally:
        engine.dispose()
    if not report.ok:
        raise BenchmarkError(f"ledger verify failed: {report.problems[:5]}")
    if report.transfers != expected:
        raise BenchmarkError(f"the ledger holds {report.transfers} transfers, the clients were told {expected}")
