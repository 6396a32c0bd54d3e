"""Storms, replays and crashes: the ledger keeps its invariants under all of them."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories.ledger import fund, open_account
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.ledger import service
from yagona.ledger.models import Batch, Transfer
from yagona.ledger.schemas import TransferCreate

pytestmark = pytest.mark.slow

ACCOUNTS = [f"wallet:{i:02d}" for i in range(20)]
HOT = "wallet:hot"


def _open_storm_accounts(container: Container) -> None:
    with container.uow() as uow:
        for code in [*ACCOUNTS, HOT]:
            open_account(uow, code)
            fund(uow, code, 10_000)
        uow.commit()


def _acknowledged_exactly_once(container: Container, keys: list[str]) -> None:
    with container.uow() as uow:
        rows = uow.session.execute(
            select(Batch.idempotency_key, Transfer.id).join(Transfer, Transfer.batch_id == Batch.id)
        ).all()
    per_key: dict[str, int] = {}
    for key, _ in rows:
        per_key[key] = per_key.get(key, 0) + 1
    missing = [k for k in keys if per_key.get(k) != 1]
    assert not missing, f"{len(missing)} acknowledged transfers missing or duplicated, e.g. {missing[:3]}"


def test_a_storm_of_concurrent_transfers_keeps_every_invariant(container: Container) -> None:
    """8 workers × 500 random transfers among 20 accounts and a hot one; none may go negative."""
    _open_storm_accounts(container)
    acknowledged: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        rng = random.Random(worker)
        for n in range(500):
            debit, credit = rng.sample([*ACCOUNTS, HOT], 2)
            if rng.random() < 0.3:  # the hot account is in a third of the transfers
                debit, credit = (HOT, credit) if rng.random() < 0.5 else (debit, HOT)
                if debit == credit:
                    continue
            key = f"storm-{worker}-{n}"
            try:
                with container.uow() as uow:
                    service.transfer(
                        uow,
                        debit=debit,
                        credit=credit,
                        amount=rng.randint(1, 3_000),
                        reason="storm",
                        idempotency_key=key,
                    )
                    uow.commit()
            except YagonaError as error:
                assert error.code == "insufficient_funds", error
                with lock:
                    refused.append(key)
                continue
            except BaseException as error:  # surfaced below, with the worker that hit it
                with lock:
                    errors.append(error)
                return
            with lock:
                acknowledged.append(key)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert len(acknowledged) > 3_000
    _acknowledged_exactly_once(container, acknowledged)
    with container.uow() as uow:
        report = service.verify(uow)
        balances = [service.get_account(uow, code=c).balance for c in [*ACCOUNTS, HOT]]
    assert report.ok, report.problems
    assert min(balances) >= 0
    assert sum(balances) == 21 * 10_000  # money moved around, none created or lost


def test_every_request_sent_twice_gets_the_same_answer(container: Container) -> None:
    _open_storm_accounts(container)
    rng = random.Random(7)
    for n in range(200):
        debit, credit = rng.sample(ACCOUNTS, 2)
        amount = rng.randint(1, 4_000)
        answers = []
        for _ in range(2):
            try:
                with container.uow() as uow:
                    answers.append(
                        service.transfer(
                            uow, debit=debit, credit=credit, amount=amount, reason="replay", idempotency_key=f"r{n}"
                        )
                    )
                    uow.commit()
            except YagonaError as error:
                answers.append(error.code)  # type: ignore[arg-type]
        assert answers[0] == answers[1]
        with container.uow() as uow, pytest.raises(YagonaError) as caught:
            service.transfer(
                uow, debit=debit, credit=credit, amount=amount + 1, reason="replay", idempotency_key=f"r{n}"
            )
        if not isinstance(answers[0], str):
            assert caught.value.code == "idempotency_conflict"


def test_concurrent_replays_of_one_key_post_once(container: Container) -> None:
    _open_storm_accounts(container)
    results: list[object] = []

    def send() -> None:
        with container.uow() as uow:
            results.append(
                service.transfer(
                    uow, debit=ACCOUNTS[0], credit=ACCOUNTS[1], amount=500, reason="t", idempotency_key="one"
                )
            )
            uow.commit()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and all(r == results[0] for r in results)
    with container.uow() as uow:
        assert service.get_account(uow, code=ACCOUNTS[1]).balance == 10_500


def test_linked_batches_in_opposite_orders_do_not_deadlock(container: Container) -> None:
    _open_storm_accounts(container)
    errors: list[BaseException] = []

    def work(reverse: bool) -> None:
        pair = [ACCOUNTS[0], ACCOUNTS[1], ACCOUNTS[2]]
        if reverse:
            pair.reverse()
        try:
            for n in range(100):
                with container.uow() as uow:
                    service.post(
                        uow,
                        transfers=[
                            TransferCreate(debit=pair[0], credit=pair[1], amount=1, reason="t"),
                            TransferCreate(debit=pair[1], credit=pair[2], amount=1, reason="t"),
                        ],
                        idempotency_key=f"{reverse}-{n}",
                    )
                    uow.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(r,)) for r in (False, True, False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:2]


WRITER = """
import sys
from yagona.app.bootstrap import bootstrap
from yagona.ledger import service
from yagona.platform.settings import Settings

container = bootstrap(Settings(env="test", database={"url": sys.argv[1]}), configure_logs=False)
n = 0
while True:
    key = f"crash-{n}"
    with container.uow() as uow:
        service.transfer(uow, debit="wallet:00", credit="wallet:01", amount=1, reason="crash", idempotency_key=key)
        service.transfer(uow, debit="wallet:01", credit="wallet:00", amount=1, reason="crash", idempotency_key=key + "-back")
        uow.commit()
    print(key, flush=True)  # acknowledged only after the commit returned
    n += 1
"""


def test_a_writer_killed_mid_stream_leaves_a_ledger_that_verifies(container: Container, tmp_path: Path) -> None:
    _open_storm_accounts(container)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    process = subprocess.Popen(
        [sys.executable, str(script), container.settings.database.url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    acknowledged: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    process.send_signal(signal.SIGKILL)  # mid-stream: it was writing the next batch
    process.wait(timeout=30)
    process.stdout.close()
    assert len(acknowledged) >= 150, "the writer did not get going"
    _acknowledged_exactly_once(container, acknowledged)
    _acknowledged_exactly_once(container, [f"{k}-back" for k in acknowledged])
    with container.uow() as uow:
        report = service.verify(uow)
    assert report.ok, report.problems
