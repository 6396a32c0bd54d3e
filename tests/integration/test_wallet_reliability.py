"""Storms on the wallet: a double spend, a limit race, parallel replays — on SQLite and
PostgreSQL. The ledger verifies after each test (conftest)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from tests.factories.home import contract_to_pay
from tests.factories.wallet import LIGHT_LIMIT, PIN, phone, premium, register, som, top_up
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.ledger import service as ledger_service
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service
from yagona.wallet.schemas import Receipt

pytestmark = pytest.mark.slow

A, B = phone(1), phone(2)


def _storm(
    container: Container, count: int, action: Callable[[UnitOfWork, int], Receipt]
) -> tuple[list[Receipt], list[str]]:
    """Run `action` in `count` threads released at once; each in its own unit of work."""
    done: list[Receipt] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    gate = threading.Barrier(count)

    def work(n: int) -> None:
        gate.wait()
        try:
            with container.uow() as uow:
                result = action(uow, n)
                uow.commit()
        except YagonaError as error:
            with lock:
                refused.append(error.code)
            return
        except BaseException as error:  # surfaced below
            with lock:
                errors.append(error)
            return
        with lock:
            done.append(result)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    return done, refused


def test_a_double_spend_storm_pays_exactly_what_the_balance_affords(container: Container) -> None:
    """20 parallel payments, each of the whole balance: exactly one succeeds, none goes negative."""
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(500_000))
        contract = contract_to_pay(uow, container.settings)
        uow.commit()
    done, refused = _storm(
        container,
        20,
        lambda uow, n: service.pay(
            uow,
            phone=A,
            provider="home-internet",
            account=contract,
            amount=som(500_000),
            pin=PIN,
            idempotency_key=f"spend-{n}",
        ),
    )
    assert len(done) == 1 and refused == ["insufficient_funds"] * 19
    with container.uow() as uow:
        assert service.get(uow, phone=A).balance == 0
        assert ledger_service.get_account(uow, code=f"home:{contract}").balance == som(500_000)


def test_a_double_spend_storm_of_transfers_and_payments_mixed(container: Container) -> None:
    """30 parallel orders of 100 000 so'm on a balance of 1 000 000: exactly 10 pass."""
    with container.uow() as uow:
        premium(uow, A)
        premium(uow, B)
        top_up(uow, A, som(1_000_000))
        iptv = "IP" + contract_to_pay(uow, container.settings)[1:]
        uow.commit()

    def order(uow: UnitOfWork, n: int) -> Receipt:
        if n % 2:
            return service.transfer(
                uow, from_phone=A, to_phone=B, amount=som(100_000), pin=PIN, idempotency_key=f"t{n}"
            )
        return service.pay(
            uow, phone=A, provider="iptv", account=iptv, amount=som(100_000), pin=PIN, idempotency_key=f"p{n}"
        )

    done, refused = _storm(container, 30, order)
    assert len(done) == 10 and refused == ["insufficient_funds"] * 20
    with container.uow() as uow:
        assert service.get(uow, phone=A).balance == 0


def test_parallel_top_ups_cannot_jointly_pass_the_light_limits(container: Container) -> None:
    """12 parallel top-ups of 300 000 so'm to a Light wallet: 4 fit in 1 225 000, 8 are refused."""
    with container.uow() as uow:
        register(uow, A)
        uow.commit()
    done, refused = _storm(
        container,
        12,
        lambda uow, n: service.topup(
            uow, phone=A, amount=som(300_000), source="card" if n % 2 else "promo", idempotency_key=f"race-{n}"
        ),
    )
    assert len(done) == 4 and refused == ["limit_exceeded"] * 8
    with container.uow() as uow:
        state = service.state(uow, phone=A)
    assert state.balance == state.topups_30d == som(1_200_000) <= LIGHT_LIMIT


def test_parallel_transfers_in_cannot_pass_the_month_limit_after_spending(container: Container) -> None:
    """The 30-day sum, not only the balance: the Light wallet spends as it receives, yet takes
    in no more than 5 BHM over the month."""
    senders = [phone(100 + n) for n in range(10)]
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(1_000_000))
        service.pay(uow, phone=A, provider="water", account="123456", amount=som(900_000), pin=PIN, idempotency_key="w")
        for sender in senders:
            premium(uow, sender)
            top_up(uow, sender, som(100_000))
        uow.commit()
    done, refused = _storm(
        container,
        10,
        lambda uow, n: service.transfer(
            uow, from_phone=senders[n], to_phone=A, amount=som(100_000), pin=PIN, idempotency_key="gift"
        ),
    )
    assert len(done) == 2 and refused == ["limit_exceeded"] * 8  # 1 000 000 + 2 x 100 000 ≤ 1 225 000


def test_the_same_request_sent_in_parallel_moves_money_once(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(100_000))
        uow.commit()
    done, refused = _storm(
        container,
        10,
        lambda uow, _n: service.transfer(
            uow, from_phone=A, to_phone=B, amount=som(10_000), pin=PIN, idempotency_key="once"
        ),
    )
    assert refused == [] and len(done) == 10 and len({r.number for r in done}) == 1
    with container.uow() as uow:
        assert service.get(uow, phone=B).balance == som(10_000)


def test_first_payments_to_a_provider_from_many_wallets_at_once(container: Container) -> None:
    """The provider's ledger account is opened by whichever payment comes first; the others
    find it, even when they race for it."""
    payers = [phone(200 + n) for n in range(8)]
    with container.uow() as uow:
        for payer in payers:
            register(uow, payer)
            top_up(uow, payer, som(10_000))
        uow.commit()
    done, refused = _storm(
        container,
        8,
        lambda uow, n: service.pay(
            uow, phone=payers[n], provider="gas", account="12345678", amount=som(1_000), pin=PIN, idempotency_key="g"
        ),
    )
    assert refused == [] and len(done) == 8
    with container.uow() as uow:
        assert ledger_service.get_account(uow, code="provider:gas").balance == som(8_000)
        assert ledger_service.get_account(uow, code=service.COMMISSION).balance == som(800)
