"""Mediation on JetStream: a rating worker killed mid-batch loses nothing and charges
nothing twice; a CDR file published twice is rated once."""

from __future__ import annotations

import asyncio
import csv
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nats
import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.services import require_nats
from yagona.app import cli
from yagona.app.bootstrap import Container, bootstrap
from yagona.app.mediation import cdr, worker
from yagona.app.mediation.publish import publish_file
from yagona.app.mediation.settings import MediationSettings
from yagona.kernel.clock import SystemClock
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.lines import service as lines
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings

pytestmark = pytest.mark.nats

LINES = [f"99890300000{i}" for i in range(4)]
UNKNOWN = "998903999999"


def _cdr_file(path: Path) -> Path:
    """40 uses on four lines, one on a line that does not exist, one row that is no record (line 44)."""
    rows = []
    for n in range(40):
        msisdn, kind = LINES[n % 4], n % 5
        row = {"id": f"cdr-{n}", "msisdn": msisdn}
        if kind in (0, 1):
            row |= {"type": "voice", "to": "998931234567", "seconds": str(30 + 17 * n)}
        elif kind == 2:
            row |= {"type": "voice", "to": "79161234567", "seconds": "61"}
        elif kind == 3:
            row |= {"type": "sms", "to": "998941112233"}
        else:
            row |= {"type": "data", "mb": f"{n}.25"}
        rows.append(row)
    rows.append({"id": "cdr-unknown", "msisdn": UNKNOWN, "type": "sms", "to": "998941112233"})
    rows.append({"id": "cdr-fax", "msisdn": LINES[0], "type": "fax", "to": "998941112233"})
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=cdr.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _container(url: str, engine: Engine) -> Container:
    settings = Settings(env="test", database={"url": url})  # type: ignore[arg-type]
    container = bootstrap(settings, clock=SystemClock(), engine=engine, configure_logs=False)
    with container.uow() as uow:
        for msisdn in LINES:
            lines.connect(uow, msisdn=msisdn, plan_id="lider-start", deposit=Money.of_som(60_000))
        uow.commit()
    return container


def _balances(container: Container) -> dict[str, int]:
    with container.uow() as uow:
        return {msisdn: lines.balance_of(uow, msisdn) for msisdn in LINES}


@contextmanager
def _writers_held(url: str) -> Iterator[None]:
    """Another transaction holds the lines: a worker's rating waits in its transaction."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.rollback()
            connection.close()
        return
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)) as held:
        held.execute("LOCK TABLE lines_line IN EXCLUSIVE MODE")
        yield
        held.rollback()


def _worker(env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "yagona", "mediation", "rate", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(process: subprocess.Popen[str], needle: str, timeout_s: float) -> None:
    seen: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:
                seen.put(line)

    threading.Thread(target=read, daemon=True).start()
    said: list[str] = []
    while True:
        try:
            said.append(seen.get(timeout=timeout_s))
        except queue.Empty:
            pytest.fail(f"the worker never said {needle}: {''.join(said)}")
        if needle in said[-1]:
            return


async def _publish_raw(settings: MediationSettings, body: bytes, record_id: str) -> None:
    connection = await nats.connect(settings.nats_url)
    try:
        await connection.jetstream().publish(f"{settings.subject_prefix}.0", body, headers={"Nats-Msg-Id": record_id})
    finally:
        await connection.close()


async def _remove_stream(settings: MediationSettings) -> None:
    connection = await nats.connect(settings.nats_url)
    try:
        await connection.jetstream().delete_stream(settings.stream)
    finally:
        await connection.close()


def test_a_worker_killed_mid_batch_loses_nothing_and_charges_nothing_twice(
    database_url: str, engine: Engine, tmp_path: Path, sqlite_template: Path
) -> None:
    nats_url = require_nats()
    tag = uuid.uuid4().hex[:8]
    stream = MediationSettings(
        nats_url=nats_url, stream=f"MEDT_{tag.upper()}", subject_prefix=f"medt{tag}.usage", shards=4
    )
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "YAGONA_ENV": "test",
        "YAGONA_DATABASE__URL": database_url,
        "YAGONA_MEDIATION_NATS_URL": nats_url,
        "YAGONA_MEDIATION_STREAM": stream.stream,
        "YAGONA_MEDIATION_SUBJECT_PREFIX": stream.subject_prefix,
        "YAGONA_MEDIATION_BATCH_SIZE": "20",
        "YAGONA_MEDIATION_FETCH_WAIT_S": "0.3",
        "YAGONA_MEDIATION_ACK_WAIT_S": "2",
    }
    settings = stream.model_copy(update={"batch_size": 20, "fetch_wait_s": 0.3, "ack_wait_s": 2.0})
    rated = _container(database_url, engine)
    path = _cdr_file(tmp_path / "usage.csv")
    try:
        first = CliRunner().invoke(cli.app, ["mediation", "publish", str(path)], env=env)
        assert first.exit_code == 1  # one row refused, the others published
        assert "published 41, duplicates 0, refused 1" in first.stdout
        assert f"{path}:43: refused: type: " in first.stderr
        again = publish_file(path, stream)  # the same file twice: JetStream drops the repeats
        assert (again.published, again.duplicates, len(again.refused)) == (0, 41, 1)
        asyncio.run(_publish_raw(stream, b"{not a record", "poison-1"))

        # A worker committed the first five and died before acknowledging them.
        records = [row.record for row in cdr.read(path) if isinstance(row, cdr.Row)]
        with rated.uow() as uow:
            lines.rate_usages(uow, records=records[:5])
            uow.commit()

        # Another fetches a batch and is killed before its commit.
        with _writers_held(database_url):
            doomed = _worker(env)
            _wait_for(doomed, "mediation_batch_fetched", timeout_s=60)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)

        # A second worker drains the stream: the killed batch comes again after ack_wait.
        survivor = asyncio.run(worker.work(rated.uow, settings, drain=True))
        assert (survivor.refused, survivor.terminated) == (2, 0)  # the unknown line and the poison
        assert survivor.rated >= 40
        assert survivor.redelivered >= 20  # the killed worker's batch
    finally:
        asyncio.run(_remove_stream(stream))

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT record_id, count(*) FROM lines_usage GROUP BY record_id"))
        counts = {str(row[0]): int(row[1]) for row in rows}
    assert counts == {f"cdr-{n}": 1 for n in range(40)}

    # What the same records charge when rated once, on a fresh database.
    fresh_path = tmp_path / "fresh.db"
    shutil.copy(sqlite_template, fresh_path)
    fresh_engine = make_engine(f"sqlite:///{fresh_path}")
    fresh = _container(f"sqlite:///{fresh_path}", fresh_engine)
    with fresh.uow() as uow:
        lines.rate_usages(uow, records=records)
        uow.commit()
    expected = _balances(fresh)
    fresh_engine.dispose()
    assert _balances(rated) == expected
    assert expected != {msisdn: Money.of_som(60_000).tiyin for msisdn in LINES}  # the uses did cost something
    with rated.uow() as uow:
        assert ledger.verify(uow).ok
