"""Scratch databases for benchmarks: each scenario gets a fresh one, gone afterwards.

A fresh database per scenario keeps the figures comparable: no scenario inherits the
bloat, the cache or the sequence values of the one before it.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from yagona.app.bench.ledger import BenchmarkError

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A temp file (not :memory:): WAL, fsync and the page cache count as in production."""
    with tempfile.TemporaryDirectory(prefix="yagona_bench_") as directory:
        yield f"sqlite:///{Path(directory) / 'ledger.db'}"


def libpq_url(url: str) -> str:
    return _libpq(url)


def _libpq(url: str) -> str:
    # psycopg speaks libpq URLs; SQLAlchemy's "+psycopg" suffix means nothing to it.
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _admin(server_url: str) -> psycopg.Connection[tuple[object, ...]]:
    # CREATE/DROP DATABASE cannot run inside a transaction block: autocommit.
    return psycopg.connect(_libpq(server_url), autocommit=True, connect_timeout=5)


def postgres_unreachable(server_url: str) -> str | None:
    """Why the server cannot be used, or None when it can."""
    try:
        with _admin(server_url):
            return None
    except psycopg.Error as error:
        reason = " ".join(str(error).split())  # libpq's message spans lines
        return f"PostgreSQL at {make_url(server_url).render_as_string()} is unreachable: {reason}"


def postgres_facts(server_url: str) -> dict[str, str]:
    """The server's version and the settings that decide what a commit costs."""
    with _admin(server_url) as admin:
        return {
            name: str(admin.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in ("server_version", "synchronous_commit", "fsync", "shared_buffers", "max_connections")
        }


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """Create `yagona_bench_<random>` on the server, yield its SQLAlchemy URL, drop it."""
    name = f"yagona_bench_{secrets.token_hex(4)}"
    with _admin(server_url) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (
                make_url(server_url)
                .set(drivername="postgresql+psycopg", database=name)
                .render_as_string(hide_password=False)
            )
        finally:
            # FORCE: a client thread that died mid-run must not keep the database alive.
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def analyze(url: str) -> None:
    """The planner's statistics of a database just seeded, as autovacuum keeps them on one
    that runs (it analyzes a table once a tenth of it changed, within a minute): without
    them a lookup by key in a few thousand rows is planned as a scan of them all."""
    with psycopg.connect(_libpq(url), autocommit=True, connect_timeout=5) as connection:
        connection.execute("ANALYZE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(
    port: int, env: dict[str, str], *, workers: int | None = None, start_timeout_s: float = 30
) -> Iterator[subprocess.Popen[bytes]]:
    """`yagona serve` in its own process (every core by default), until the block ends;
    yields that process (its children are the server workers)."""
    processes = str(workers or os.cpu_count() or 1)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command, no outside input
        [sys.executable, "-m", "yagona", "serve", "--port", str(port), "--workers", processes],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise BenchmarkError("the server did not start")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
