"""Group commit: concurrent postings share transactions, yet each keeps its own answer.

A refused posting (no funds, a linked batch with one bad transfer, a malformed request)
fails alone; replays of one key post once; nothing is answered that was not committed;
with the setting off every posting is its own transaction. On both databases.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories.ledger import open_account, open_world
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.ledger import service
from yagona.ledger.group import LedgerPoster
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
    if i == 9:  # every thread replays one shared key at once: posted once
        shared = TransferCreate(debit="customer:0", credit="operator:revenue", amount=7, reason="payment")
        return [shared], "shared-key"
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

    for n, mine in enumerate(answers):
        assert mine[3] == "insufficient_funds"
        assert mine[5] == "insufficient_funds"
        assert mine[7] == "invalid_request"
        paid = [a for i, a in enumerate(mine) if i not in {3, 5, 7, 9}]
        assert all(isinstance(a, list) and a[0].debit == f"customer:{n}" for a in paid)
    shared = {a[0].id for mine in answers for a in [mine[9]] if isinstance(a, list)}
    assert len(shared) == 1  # eight replays of one key: one transfer, the same answer
    with container.uow() as uow:
        report = service.verify(uow)
        revenue = service.get_account(uow, code="operator:revenue")
    assert report.ok, report.problems
    assert report.transfers == THREADS + THREADS * 8 + 1  # funding, 8 payments each, the shared one
    assert revenue.balance == THREADS * 8 * 100 + 7
    if enabled:
        assert max(sizes) > 1  # concurrent postings did share a transaction
    else:
        assert not sizes
