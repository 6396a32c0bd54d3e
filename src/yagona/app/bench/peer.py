"""pgledger, the peer of the side-by-side ledger benchmark, driven by pgbench's C client.

The peer's SQL is read from the path given on the command line (never from the tests),
loaded into a scratch database exactly as its README says, and given the same accounts as
Yagona: 100 customers that may not go negative, funded from a world account, and a hot
revenue account. pgbench runs one script per shape for a fixed time; its per-transaction
log gives p50/p99.
"""

from __future__ import annotations

import re
import resource
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from yagona.app.bench.ledger import BenchmarkError, percentile
from yagona.app.bench.scratch import libpq_url
from yagona.app.bench.server_cpu import ServerCpu

CUSTOMERS = 100
PEER_FILES = ("ulid-to-uuid.sql", "uuid-to-ulid.sql", "pgledger.sql")


@dataclass(frozen=True, slots=True)
class Shape:
    name: str
    label: str
    clients: int
    per_request: int
    hot: bool  # every transfer into the revenue account; else random pairs of customers


SHAPES = (
    Shape("a", "1 transfer per request, random pairs of 100 accounts", 8, 1, hot=False),
    Shape("b", "1 transfer per request into one hot revenue account", 8, 1, hot=True),
    Shape("c", "5 transfers per request into the hot account", 8, 5, hot=True),
)


@dataclass(frozen=True, slots=True)
class Figures:
    transfers: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    # CPU per transfer: the database's backends, and the client side (pgbench, or Yagona's
    # worker and client processes), in microseconds.
    server_cpu_us: float
    client_cpu_us: float
    # Of client_cpu_us, what Yagona's server processes spent (the rest: its client processes).
    app_cpu_us: float | None = None


def _script(shape: Shape) -> str:
    """The pgbench script of a shape: account numbers drawn by pgbench, ids looked up by number."""
    account = "(SELECT id FROM bench_account WHERE n = {})"
    if not shape.hot:
        return (
            f"\\set a random(1, {CUSTOMERS})\n"
            f"\\set b 1 + (:a + random(0, {CUSTOMERS - 2})) % {CUSTOMERS}\n"
            "\\set amount random(1, 1000)\n"
            f"SELECT pgledger_create_transfer({account.format(':a')}, {account.format(':b')}, :amount);\n"
        )
    if shape.per_request == 1:
        return (
            f"\\set a random(1, {CUSTOMERS})\n"
            "\\set amount random(1, 1000)\n"
            f"SELECT pgledger_create_transfer({account.format(':a')}, {account.format(0)}, :amount);\n"
        )
    step = CUSTOMERS // shape.per_request
    lines = [f"\\set a random(1, {CUSTOMERS})", "\\set amount random(1, 1000)"]
    requests = ", ".join(
        f"({account.format(f'1 + (:a + {k * step}) % {CUSTOMERS}')}, {account.format(0)}, :amount)::TRANSFER_REQUEST"
        for k in range(shape.per_request)
    )
    return "\n".join([*lines, f"SELECT pgledger_create_transfers(ARRAY[{requests}]);", ""])


def load(database_url: str, peer_sql: Path) -> None:
    """Load pgledger (README order, one transaction) and open the accounts of every shape."""
    missing = [name for name in PEER_FILES if not (peer_sql / name).is_file()]
    if missing:
        raise BenchmarkError(f"{peer_sql} lacks {', '.join(missing)}: give the directory of pgledger's SQL")
    files = [arg for name in PEER_FILES for arg in ("-f", str(peer_sql / name))]
    subprocess.run(  # noqa: S603 - psql with our own arguments
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", *files, libpq_url(database_url)],  # noqa: S607
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with psycopg.connect(libpq_url(database_url), autocommit=True) as db:
        db.execute("CREATE TABLE bench_account (n int PRIMARY KEY, id text NOT NULL)")
        world = _open(db, "world", negative=True)
        db.execute("INSERT INTO bench_account VALUES (0, %s)", (_open(db, "revenue", negative=True),))
        for n in range(1, CUSTOMERS + 1):
            customer = _open(db, f"customer{n}", negative=False)
            db.execute("INSERT INTO bench_account VALUES (%s, %s)", (n, customer))
            db.execute("SELECT pgledger_create_transfer(%s, %s, 1000000000)", (world, customer))


def _open(db: psycopg.Connection[tuple[object, ...]], name: str, *, negative: bool) -> str:
    row = db.execute("SELECT id FROM pgledger_create_account(%s, 'UZS', %s)", (name, negative)).fetchone()
    assert row is not None
    return str(row[0])


def run(database_url: str, shape: Shape, seconds: float) -> Figures:
    """pgbench -n -c 8 -j 2 -T seconds (after a 2 s warm-up), per-transaction log on."""
    with tempfile.TemporaryDirectory(prefix="yagona_pgbench_") as directory:
        script = Path(directory) / f"shape_{shape.name}.sql"
        script.write_text(_script(shape))
        base = ["pgbench", "-n", "-c", str(shape.clients), "-j", "2", "-f", str(script)]
        _pgbench([*base, "-T", "2", libpq_url(database_url)])
        prefix = str(Path(directory) / "log")
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        with ServerCpu(database_url) as server:
            output = _pgbench(
                [*base, "-T", str(round(seconds)), "-l", f"--log-prefix={prefix}", libpq_url(database_url)]
            )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        client_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        latencies = [
            int(line.split()[2]) / 1_000
            for log in Path(directory).glob("log.*")
            for line in log.read_text().splitlines()
            if line.strip()
        ]
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output)
    failed = re.search(r"number of failed transactions: (\d+)", output)
    if tps is None or not latencies:
        raise BenchmarkError(f"pgbench said nothing usable:\n{output}")
    if failed is not None and int(failed.group(1)) > 0:
        raise BenchmarkError(f"pgbench: {failed.group(1)} transactions failed")
    transfers = len(latencies) * shape.per_request
    per_second = float(tps.group(1)) * shape.per_request
    return Figures(
        transfers=transfers,
        seconds=transfers / per_second,
        per_second=per_second,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        server_cpu_us=server.seconds / transfers * 1e6,
        client_cpu_us=client_cpu / transfers * 1e6,
    )


def _pgbench(arguments: list[str]) -> str:
    done = subprocess.run(arguments, check=False, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BenchmarkError(f"pgbench failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout
