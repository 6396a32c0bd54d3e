"""Quotes (what a page shows before the PIN): the commission of annex 1 the order then
charges, the order's own refusals, nothing written; the simulator's test cards only where
it runs; receipts filtered by kind."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.factories.wallet import PIN, phone, register, som, top_up
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import YagonaError
from yagona.platform.settings import Settings
from yagona.wallet import service
from yagona.wallet.schemas import CardOutcome, OperationKind

A, B = phone(1), phone(2)
CARD = "8600000000000001"
STRONG = "x" * 8 + "Yagona-prod-secret-0123456789-abcdefgh"


def test_a_quote_is_what_the_order_then_charges_and_writes_nothing(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(100_000))
        uow.commit()
    with container.uow() as uow:
        quote = service.quote_payment(uow, phone=A, provider="electricity", account=" 1234567890 ", amount=som(5_000))
        assert (quote.amount, quote.commission, quote.total, quote.account) == (
            som(5_000),
            som(100),
            som(5_100),
            "1234567890",
        )
        assert service.quote_transfer(uow, from_phone=A, to_phone=f"+{B}", amount=som(10)).commission == 0
        topup = service.quote_topup(uow, phone=A, amount=som(10), card_number="8600 0000 0000 0001")
        assert topup.total == som(10) and topup.card == "card 8600 **** **** 0001"
        assert service.receipts(uow, phone=A).items[0].kind == OperationKind.TOPUP_PROMO  # nothing new
        paid = service.pay(
            uow, phone=A, provider="electricity", account="1234567890", amount=som(5_000), pin=PIN, idempotency_key="q"
        )
        assert (paid.commission, paid.total) == (quote.commission, quote.total)
        uow.commit()

    with container.uow() as uow:
        for code, action in (
            ("invalid_request", lambda: service.quote_payment(uow, phone=A, provider="gas", account="1", amount=1)),
            ("not_found", lambda: service.quote_payment(uow, phone=A, provider="nope", account="1", amount=1)),
            ("invalid_request", lambda: service.quote_transfer(uow, from_phone=A, to_phone=A, amount=1)),
            ("not_found", lambda: service.quote_transfer(uow, from_phone=A, to_phone=phone(9), amount=1)),
            ("invalid_request", lambda: service.quote_topup(uow, phone=A, amount=0, card_number=CARD)),
            ("invalid_request", lambda: service.quote_topup(uow, phone=A, amount=1, card_number="123")),
        ):
            with pytest.raises(YagonaError) as caught:
                action()
            assert caught.value.code == code

    with container.uow() as uow:
        kinds = [OperationKind.PAYMENT]
        assert [r.kind for r in service.receipts(uow, phone=A, kinds=kinds).items] == [OperationKind.PAYMENT]
        assert len(service.receipts(uow, phone=A).items) == 2


def test_the_simulators_test_cards_are_offered_only_where_it_runs(
    container: Container, settings: Settings, engine: Engine, clock: SimulatedClock
) -> None:
    cards = service.simulator_cards()
    assert [(c.number, c.outcome) for c in cards] == [
        ("8600000000000001", CardOutcome.APPROVE),
        ("8600000000000002", CardOutcome.DECLINE),
        ("8600000000000003", CardOutcome.HOLD),
    ]
    prod = settings.model_copy(update={"env": "prod", "secret_key": type(settings.secret_key)(STRONG)})
    try:
        wired = bootstrap(prod, clock=clock, engine=engine, configure_logs=False)
        assert service.simulator_cards() == []
        with wired.uow() as uow:
            register(uow, A)
            with pytest.raises(YagonaError) as caught:
                service.quote_topup(uow, phone=A, amount=som(1), card_number=CARD)
            assert caught.value.code == "card_processor_unavailable"
    finally:
        bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
