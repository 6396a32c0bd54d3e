"""Group commit: concurrent postings share transactions, yet each keeps its own answer.

A refused posting (no funds, a linked batch with one bad transfer, a malformed request)
fails alone; replays of one key post once; nothing is answered that was not committed;
with the setting off every posting is its own transaction. On both databases.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.factories.ledger import open_account, open_world
from tests.integration.test_ledger_reliability import _acknowledged_exactly_once, _open_storm_accounts
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.ledger import service
from yagona.ledger.group import LedgerPoster, PostRequest
from yagona.ledger.schemas import TransferCreate, TransferRead
from yagona.platform.settings import GroupCommitSettings

THREADS = 8


def _accounts(container: Container) -> None:
    with container.uow() as uow:
        world = open_world(uow)
        open_account(uow, "operator:revenue", allow_negative=True, kind="revenue")
        for n in range(THREADS):
            open_account(uow, f"customer:{n}")
            service.transfer(
                uow, debit=world, credit=f"customer:{n}", amount=10_000, reason="funding", idempotency_key=f"fund:{n}"
            )
        open_account(uow, "customer:poor")
        uow.commit()


def _request(n: int, i: int) -> tuple[list[TransferCreate], str]:
    """What thread n sends the i-th time: mostly good payments, some refused, some replays."""
    pay = TransferCreate(debit=f"customer:{n}", credit="operator:revenue", amount=100, reason="payment")
    if i == 3:  # no funds: refused alone
        return [TransferCreate(debit="customer:poor", credit="operator:revenue", amount=1, reason="payment")], f"p:{n}"
    if i == 5:  # linked: the second transfer cannot be made, so neither is
        poor = TransferCreate(debit="customer:poor", credit="operator:revenue", amount=1, reason="payment")
        return [pay, poor], f"linked:{n}"
    if i == 7:  # malformed: an empty batch
        return [], f"empty:{n}"
    if i == 9:  # every thread replays one common key at once: posted once
        common = TransferCreate(debit="customer:0", credit="operator:revenue", amount=7, reason="payment")
        return [common], "common-key"
    return [pay], f"pay:{n}:{i}"


def _storm(container: Container, poster: LedgerPoster) -> list[list[list[TransferRead] | str]]:
    start = threading.Barrier(THREADS)

    def client(n: int) -> list[list[TransferRead] | str]:
        start.wait()
        answers: list[list[TransferRead] | str] = []
        for i in range(12):
            transfers, key = _request(n, i)
            try:
                answers.append(poster.post(transfers=transfers, idempotency_key=key))
            except YagonaError as error:
                answers.append(error.code)
        return answers

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(client, range(THREADS)))


@pytest.mark.parametrize("enabled", [True, False], ids=["grouped", "alone"])
def test_each_posting_of_a_group_keeps_its_own_answer(container: Container, enabled: bool) -> None:
    _accounts(container)
    sizes: list[int] = []
    settings = GroupCommitSettings(enabled=enabled, window_ms=5)
    poster = LedgerPoster(container.uow, settings, on_group=sizes.append, engine=container.engine)
    answers = _storm(container, poster)
    poster.close()

    for n, mine in enumerate(answers):
        assert mine[3] == "insufficient_funds"
        assert mine[5] == "insufficient_funds"
        assert mine[7] == "invalid_request"
        paid = [a for i, a in enumerate(mine) if i not in {3, 5, 7, 9}]
        assert all(isinstance(a, list) and a[0].debit == f"customer:{n}" for a in paid)
    common = {a[0].id for mine in answers for a in [mine[9]] if isinstance(a, list)}
    assert len(common) == 1  # eight replays of one key: one transfer, the same answer
    with container.uow() as uow:
        report = service.verify(uow)
        revenue = service.get_account(uow, code="operator:revenue")
    assert report.ok, report.problems
    assert report.transfers == THREADS + THREADS * 8 + 1  # funding, 8 payments each, the common one
    assert revenue.balance == THREADS * 8 * 100 + 7
    if enabled:
        assert max(sizes) > 1  # concurrent postings did share a transaction
    else:
        assert not sizes


@pytest.mark.parametrize("enabled", [True, False], ids=["grouped", "alone"])
def test_a_group_gathered_by_its_caller_keeps_each_answer(container: Container, enabled: bool) -> None:
    """`post_many`, as an event loop serving many clients calls it: one call, each request
    answered or refused alone, replays within and across calls posted once."""
    _accounts(container)
    sizes: list[int] = []
    poster = LedgerPoster(
        container.uow, GroupCommitSettings(enabled=enabled), on_group=sizes.append, engine=container.engine
    )
    requests = [
        PostRequest(tuple(transfers), key) for transfers, key in (_request(n, i) for n in (0, 1) for i in range(10))
    ]
    first = poster.post_many(requests[:10])
    second = poster.post_many(requests[10:] + requests[9:10])  # "common-key" again, from another call
    poster.close()

    codes = [o.code if isinstance(o, YagonaError) else "ok" for o in first]
    assert codes == [
        "ok",
        "ok",
        "ok",
        "insufficient_funds",
        "ok",
        "insufficient_funds",
        "ok",
        "invalid_request",
        "ok",
        "ok",
    ]
    common = first[9]
    assert isinstance(common, list) and second[-1] == common and second[-2] == common  # posted once
    assert sizes == ([10, 11] if enabled else [])  # turned off, each request is its own transaction
    with container.uow() as uow:
        report = service.verify(uow)
        revenue = service.get_account(uow, code="operator:revenue")
    assert report.ok, report.problems
    assert revenue.balance == 2 * 6 * 100 + 7  # six payments from each, the common one once


GROUPED_WRITER = """
import sys, threading
from yagona.app.bootstrap import bootstrap
from yagona.ledger.group import LedgerPoster, PostRequest
from yagona.platform.settings import Settings

container = bootstrap(Settings(env="test", database={"url": sys.argv[1]}), configure_logs=False)
poster = LedgerPoster(container.uow, container.settings.group_commit, engine=container.engine)
out = threading.Lock()

def write(t):
    n = 0
    while True:
        key = f"crash-{t}-{n}"
        poster.transfer(debit="wallet:00", credit="wallet:01", amount=1, reason="crash", idempotency_key=key)
        with out:
            print(key, flush=True)  # acknowledged only after the group's commit returned
        n += 1

for t in range(4):
    threading.Thread(target=write, args=(t,), daemon=True).start()
threading.Event().wait()
"""


# PostgreSQL only: on SQLite a group is savepoints in one transaction, which the storm above covers.
@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_grouped_writer_killed_mid_stream_loses_no_acknowledged_transfer(
    container: Container, tmp_path: Path
) -> None:
    _open_storm_accounts(container)
    script = tmp_path / "writer.py"
    script.write_text(GROUPED_WRITER)
    process = subprocess.Popen(
        [sys.executable, str(script), container.settings.database.url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert process.stdout is not None
    acknowledged: list[str] = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    process.send_signal(signal.SIGKILL)  # mid-group: others were waiting for their commit
    process.wait(timeout=30)
    process.stdout.close()
    assert len(acknowledged) >= 150, "the writer did not get going"
    _acknowledged_exactly_once(container, acknowledged)
    with container.uow() as uow:
        report = service.verify(uow)
    assert report.ok, report.problems


# PostgreSQL only: there a group runs on a connection the poster keeps between groups.
@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_kept_connection_the_server_dropped_costs_no_posting(container: Container) -> None:
    _accounts(container)
    poster = LedgerPoster(container.uow, GroupCommitSettings(), engine=container.engine)
    first = poster.transfer(
        debit="customer:0", credit="operator:revenue", amount=100, reason="payment", idempotency_key="before"
    )
    with container.uow() as uow:  # the server ends every other session of this database
        uow.session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    after = poster.transfer(
        debit="customer:1", credit="operator:revenue", amount=100, reason="payment", idempotency_key="after"
    )
    again = poster.transfer(
        debit="customer:0", credit="operator:revenue", amount=100, reason="payment", idempotency_key="before"
    )
    poster.close()

    assert after.debit == "customer:1" and after.amount == 100
    assert again == first  # a replay on the new connection answers the first posting
    with container.uow() as uow:
        assert service.get_account(uow, code="operator:revenue").balance == 200
