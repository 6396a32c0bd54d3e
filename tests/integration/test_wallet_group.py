"""A group of wallet orders decided in one unit of work (`service.run_orders`), on SQLite and
PostgreSQL, deterministically: transfers on distinct wallets share a round (one statement
each for the wallets, the replays, the ledger and the receipts); repeats of a wallet or a key
go to later rounds and see what the earlier ones wrote; each order gets its own answer."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select, text, update

from tests.factories.wallet import LIGHT_LIMIT, PIN, phone, premium, register, som, top_up
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.ledger import service as ledger_service
from yagona.platform.models import OutboxRow
from yagona.platform.settings import GroupCommitSettings
from yagona.wallet import rules, service
from yagona.wallet.models import WalletAccount
from yagona.wallet.schemas import Receipt

A, B, C, D, E, F, L = (phone(n) for n in range(1, 8))


def test_a_group_of_orders_keeps_every_answer_and_the_rules(container: Container) -> None:
    with container.uow() as uow:
        for number in (A, B, C, D, E, F):
            register(uow, number)
            top_up(uow, number, som(100_000))
        premium(uow, L)
        top_up(uow, L, som(2_000_000))
        uow.commit()
    t = service.TransferOrder
    orders: list[service.TransferOrder | service.PaymentOrder] = [
        t(A, B, som(100), PIN, "k1"),  # round 1: A, B, C, D, E, F, L all distinct
        t(C, D, som(200), PIN, "k2"),
        t(E, F, som(300), "00000", "k3"),  # a wrong PIN: counted, refused alone
        t(L, phone(9), som(1), PIN, "k4"),  # no such wallet
        t(A, C, som(50), PIN, "k1b"),  # A again: round 2, after k1
        t(A, B, som(100), PIN, "k1"),  # the same key and request: k1's receipt
        t(A, B, som(101), PIN, "k1"),  # the same key, another request: refused
        t(B, A, som(1_000_000), PIN, "k5"),  # more than B has
        t(L, E, LIGHT_LIMIT, PIN, "k6"),  # past E's Light 30-day sum (E has 100 000 in)
        t(L, F, som(1_000), PIN, "k7"),
        t(E, F, som(300), "00000", "k8"),  # E's second wrong PIN counts on the first
    ]
    with container.uow() as uow:
        outcomes = service.run_orders(uow, orders)
        uow.commit()
    codes = [o.code if isinstance(o, YagonaError) else "ok" for o in outcomes]
    assert codes == [
        "ok", "ok", "invalid_pin", "not_found", "ok", "ok", "idempotency_conflict", "insufficient_funds",
        "limit_exceeded", "ok", "invalid_pin",
    ]  # fmt: skip
    receipts = [o for o in outcomes if isinstance(o, Receipt)]
    assert receipts[0].number == receipts[3].number  # k1 replayed
    assert len({r.number for r in receipts}) == 4
    third_wrong = outcomes[10]
    assert isinstance(third_wrong, YagonaError) and third_wrong.details == {"attempts_left": 1}
    with container.uow() as uow:
        balances = {n: service.get(uow, phone=n).balance for n in (A, B, C, D, E, F)}
        touched = dict(uow.session.execute(select(WalletAccount.phone, WalletAccount.pin_failures)).all())
        for receipt in receipts:
            mine = service.receipt(uow, phone=receipt.payer.removeprefix("wallet "), number=receipt.number)
            assert (mine.amount, mine.payee) == (receipt.amount, receipt.payee)
        # One event per transfer applied (none for a refusal or a replay), naming its receipt.
        events = uow.session.scalars(
            select(OutboxRow.payload).where(OutboxRow.name == "wallet.transferred").order_by(OutboxRow.seq)
        ).all()
        assert [(e["receipt"], e["from_phone"], e["to_phone"], e["amount"]) for e in events] == [
            (r.number, r.payer.removeprefix("wallet "), r.payee.removeprefix("wallet "), r.amount)
            for r in (receipts[0], receipts[1], receipts[2], receipts[4])
        ]
        assert ledger_service.verify(uow).ok
    assert balances == {
        A: som(100_000 - 100 - 50), B: som(100_000 + 100), C: som(100_000 - 200 + 50), D: som(100_000 + 200),
        E: som(100_000), F: som(100_000 + 1_000),
    }  # fmt: skip
    assert touched[E] == 2  # both wrong PINs counted


def test_a_libpq_without_pipelines_gives_the_same_answers(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL sends a round's lock and reads in one pipeline (libpq 14+); without one,
    one statement after the other, the same way as SQLite."""
    monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
    test_a_group_of_orders_keeps_every_answer_and_the_rules(container)


def _pin_state(container: Container) -> dict[str, tuple[int, str]]:
    with container.uow() as uow:
        rows = uow.session.execute(select(WalletAccount.phone, WalletAccount.pin_failures, WalletAccount.pin_hash))
        return {number: (failures, pin_hash or "") for number, failures, pin_hash in rows}


def test_a_group_committed_with_its_last_statement_resets_only_the_answered_pins(container: Container) -> None:
    """A group committed at once (`last=True`, as `WalletOrders` runs it; on PostgreSQL the
    COMMIT goes with the last statement): a right PIN resets its wallet's count, and replaces
    a hash of before, only when its order is answered — a transfer applied, or a replay; a
    right PIN whose transfer the ledger refuses (no funds) leaves the count as it was."""
    with container.uow() as uow:
        for number in (A, B, C, D, E, F):
            register(uow, number)
            top_up(uow, number, som(1_000))
        uow.commit()
    with container.uow() as uow:  # D's k9 answered once, to be replayed
        service.run_orders(uow, [service.TransferOrder(D, F, som(1), PIN, "k9")])
        uow.commit()
    for number in (A, C, D):  # one wrong PIN each, counted
        with container.uow() as uow:
            [wrong] = service.run_orders(uow, [service.TransferOrder(number, F, som(1), "00000", f"w{number}")])
            uow.commit()
        assert isinstance(wrong, YagonaError) and wrong.code == "invalid_pin"
    legacy = rules.pin_hasher(time_cost=1, memory_kib=8, parallelism=1).hash(PIN)
    with container.uow() as uow:  # E's PIN stored as before (Argon2id): replaced on its next success
        uow.session.execute(update(WalletAccount).where(WalletAccount.phone == E).values(pin_hash=legacy))
        uow.commit()
    t = service.TransferOrder
    orders: list[service.TransferOrder | service.PaymentOrder] = [
        t(A, B, som(10), PIN, "k1"),  # applied: A's count back to 0
        t(C, B, som(5_000), PIN, "k2"),  # refused by the ledger: C's count stays
        t(D, F, som(1), PIN, "k9"),  # a replay, answered: D's count back to 0
        t(E, B, som(10), PIN, "k3"),  # applied: E's hash replaced
    ]
    with container.uow() as uow:
        outcomes = service.run_orders(uow, orders, last=True)
        uow.commit()
    codes = [o.code if isinstance(o, YagonaError) else "ok" for o in outcomes]
    assert codes == ["ok", "insufficient_funds", "ok", "ok"]
    pins = _pin_state(container)
    assert {n: pins[n][0] for n in (A, C, D, E)} == {A: 0, C: 1, D: 0, E: 0}
    assert pins[E][1].startswith("$hmac-sha256$") and pins[B][1].startswith("$hmac-sha256$")
    with container.uow() as uow:
        balances = {n: service.get(uow, phone=n).balance for n in (A, B, C, E)}
    assert balances == {A: som(990), B: som(1_020), C: som(1_000), E: som(990)}


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_orders_go_on_when_the_kept_connection_breaks(container: Container) -> None:
    """`WalletOrders` keeps its groups' connection between groups on PostgreSQL: when the
    server drops it, that group fails as a whole and its order is run again alone, on a
    fresh connection — the customer sees a receipt, and it is applied once."""
    with container.uow() as uow:
        for number in (A, B):
            register(uow, number)
            top_up(uow, number, som(1_000))
        uow.commit()
    orders = service.WalletOrders(container.uow, GroupCommitSettings())
    try:
        first = orders.transfer(from_phone=A, to_phone=B, amount=som(10), pin=PIN, idempotency_key="g1")
        with container.engine.connect() as admin:  # the server drops every other session of this database
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        second = orders.transfer(from_phone=A, to_phone=B, amount=som(20), pin=PIN, idempotency_key="g2")
        third = orders.transfer(from_phone=A, to_phone=B, amount=som(30), pin=PIN, idempotency_key="g3")
    finally:
        orders.close()
    assert len({first.number, second.number, third.number}) == 3
    with container.uow() as uow:
        assert service.get(uow, phone=A).balance == som(1_000 - 60)
        assert service.get(uow, phone=B).balance == som(1_000 + 60)
