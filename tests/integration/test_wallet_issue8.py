"""Seed rules of the offer that came out wrong (issue 8), and money simulators held to dev
and test: on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from tests.factories.wallet import PIN, phone, register, som, top_up
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import YagonaError
from yagona.ledger import service as ledger_service
from yagona.platform.settings import Settings
from yagona.wallet import service
from yagona.wallet.schemas import OperationKind, TopupSource, WalletStatus
from yagona.wallet.settings import WalletSettings

A, B = phone(1), phone(2)
CARD = "8600123412341234"
STRONG = "x" * 8 + "Yagona-prod-secret-0123456789-abcdefgh"


def _refused(container: Container, code: str, action: object) -> YagonaError:
    with pytest.raises(YagonaError) as caught, container.uow() as uow:
        action(uow)  # type: ignore[operator]
    assert caught.value.code == code, caught.value
    return caught.value


@pytest.fixture
def prod(settings: Settings, engine: Engine, clock: SimulatedClock) -> Iterator[Container]:
    """The platform as production wires it (YAGONA_ENV=prod): no simulator of money."""
    prod_settings = settings.model_copy(update={"env": "prod", "secret_key": type(settings.secret_key)(STRONG)})
    container = bootstrap(prod_settings, clock=clock, engine=engine, configure_logs=False)
    yield container
    bootstrap(settings, clock=clock, engine=engine, configure_logs=False)  # back to the test wiring


def test_in_production_no_card_top_up_is_approved(prod: Container) -> None:
    with prod.uow() as uow:
        register(uow, A)
        uow.commit()
    _refused(
        prod,
        "card_processor_unavailable",
        lambda uow: service.topup(
            uow, phone=A, amount=som(1_000), source=TopupSource.CARD, idempotency_key="k", card_number=CARD, pin=PIN
        ),
    )
    _refused(
        prod,
        "card_processor_unavailable",
        lambda uow: service.redeem(uow, phone=A, amount=1, card_number=CARD, pin=PIN, idempotency_key="r"),
    )
    with prod.uow() as uow:
        wallet = service.get(uow, phone=A)
        assert (wallet.balance, wallet.available, wallet.topups_30d) == (0, 0, 0)
        assert service.receipts(uow, phone=A).items == []


def test_the_card_simulator_cannot_be_switched_on_in_production(settings: Settings, engine: Engine) -> None:
    with pytest.raises(ValueError, match="cannot be enabled in prod"):
        WalletSettings(card_simulator=True).for_environment("prod")
    assert WalletSettings().for_environment("prod").card_simulator is False
    assert WalletSettings().for_environment("test").card_simulator is True
    prod_settings = settings.model_copy(update={"env": "prod", "secret_key": type(settings.secret_key)(STRONG)})
    with pytest.raises(ValueError, match="cannot be enabled"):
        bootstrap(
            prod_settings, engine=engine, configure_logs=False, wallet_settings=WalletSettings(card_simulator=True)
        )
    bootstrap(settings, engine=engine, configure_logs=False)


def test_a_lost_phones_balance_is_kept_three_years_from_the_block(container: Container, clock: SimulatedClock) -> None:
    """Offer 4.6.3: kept until restored, but no more than 3 years from the block — not from
    the last operation (the old rule forfeited it half a year after this block)."""
    start = clock.now()
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(9_000))
        uow.commit()
    clock.advance_to(start + timedelta(days=365 * 2 + 180))
    with container.uow() as uow:
        blocked = service.block(uow, phone=A, reason="lost")
        uow.commit()
    assert blocked.blocked_at == clock.now()
    clock.advance_to(start.replace(year=start.year + 3) + timedelta(days=1))  # 3 years after the last operation
    assert [e for o in container.jobs.run_due() for e in o.effects] == []
    with container.uow() as uow:
        assert service.get(uow, phone=A).balance == som(9_000)
    clock.advance_to(blocked.blocked_at + timedelta(days=365 * 3 + 1))  # more than 3 years from the block
    effects = [e for o in container.jobs.run_due() for e in o.effects]
    assert [(e["phone"], e["amount"]) for e in effects] == [(A, 9000)]
    with container.uow() as uow:
        wallet = service.get(uow, phone=A)
        assert (wallet.state, wallet.block_reason, wallet.balance) == (WalletStatus.BLOCKED, "dormant", 0)


def test_the_balance_is_redeemed_to_a_card_with_its_receipt(container: Container) -> None:
    """Offer 5.4.2: a payout to the customer's card through the card simulator, wallet →
    card settlement in the ledger, with its receipt; a declined card changes nothing."""
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(50_000))
        uow.commit()
    with container.uow() as uow:
        receipt = service.redeem(uow, phone=A, amount=som(20_000), card_number=CARD, pin=PIN, idempotency_key="r1")
        again = service.redeem(uow, phone=A, amount=som(20_000), card_number=CARD, pin=PIN, idempotency_key="r1")
        uow.commit()
    assert again == receipt and receipt.kind == OperationKind.REDEMPTION and receipt.total == som(20_000)
    assert "8600 **** **** 1234" in receipt.payee
    _refused(
        container,
        "card_declined",
        lambda uow: service.redeem(
            uow, phone=A, amount=1, card_number="8600000000000002", pin=PIN, idempotency_key="r2"
        ),
    )
    _refused(
        container,
        "insufficient_funds",
        lambda uow: service.redeem(uow, phone=A, amount=som(30_001), card_number=CARD, pin=PIN, idempotency_key="r3"),
    )
    _refused(
        container,
        "invalid_pin",
        lambda uow: service.redeem(uow, phone=A, amount=1, card_number=CARD, pin="0000", idempotency_key="r4"),
    )
    with container.uow() as uow:
        assert service.get(uow, phone=A).balance == som(30_000)
        assert ledger_service.get_account(uow, code=service.CARD_SETTLEMENT).balance == som(20_000)
        assert [r.kind for r in service.receipts(uow, phone=A).items] == [
            OperationKind.REDEMPTION,
            OperationKind.TOPUP_PROMO,
        ]


def test_receipts_carry_the_operators_details_and_the_fiscal_mark_where_configured(
    settings: Settings, engine: Engine, clock: SimulatedClock
) -> None:
    fiscal = WalletSettings(
        operator_name='"Yagona Telecom" MChJ', operator_tin="301234567", fiscal_terminal_id="UZ1234567"
    )
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False, wallet_settings=fiscal)
    try:
        with container.uow() as uow:
            register(uow, A)
            register(uow, B)
            top_up(uow, A, som(10_000))
            sent = service.transfer(uow, from_phone=A, to_phone=B, amount=som(1_000), pin=PIN, idempotency_key="t")
            uow.commit()
        with container.uow() as uow:
            stored = service.receipt(uow, phone=B, number=sent.number)
        assert stored == sent  # the payer's and the payee's receipt are one
        assert (sent.operator_name, sent.operator_tin) == ('"Yagona Telecom" MChJ', "301234567")
        assert sent.fiscal_mark is not None and sent.fiscal_mark.startswith("UZ1234567-")
        text = sent.as_text()
        assert "301234567" in text and sent.fiscal_mark in text and sent.number in text
    finally:
        bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    with container.uow() as uow:
        assert service.receipt(uow, phone=A, number=sent.number).fiscal_mark is None  # none configured


def test_the_wallet_records_the_version_of_the_offer_accepted(container: Container) -> None:
    with container.uow() as uow:
        wallet = register(uow, A)
        uow.commit()
    assert wallet.offer_version == service.current().settings.offer_version
    assert wallet.offer_accepted_at is not None and wallet.customer_id == f"customer-{A}"
    _refused(
        container,
        "offer_version_mismatch",
        lambda uow: service.register(
            uow, customer_id="c", phone=B, pin=PIN, birth_date=wallet.created_at.date().replace(year=1990),
            accept_offer=True, offer_version="2019-01-01",
        ),
    )  # fmt: skip


def test_idempotency_keys_are_refused_not_truncated(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        uow.commit()
    long_key = "k" * 121
    _refused(container, "invalid_request", lambda uow: top_up(uow, A, 1, key=long_key))
    _refused(container, "invalid_request", lambda uow: top_up(uow, A, 1, key="bad key"))


def test_the_sandbox_registers_a_wallet_for_the_one_id_customer_of_the_phone(
    container: Container, clock: SimulatedClock, settings: Settings
) -> None:
    from tests.factories.identity import context, customer
    from yagona.app.sandbox.runner import Simulation
    from yagona.app.sandbox.verbs import VERBS
    from yagona.identity import service as identity

    ctx = context(settings)
    with container.uow() as uow:
        existing = customer(uow, ctx, B)
        uow.commit()
    sim = Simulation(uow=container.uow, clock=clock, jobs=container.jobs, make_identity=lambda: ctx)
    _, register_verb = VERBS["wallet.register"]
    for number in (A, B):
        fields = {"phone": number, "pin": PIN, "birth_date": date(1990, 5, 17), "accept_offer": True}
        assert register_verb(sim, {**fields, "offer_version": None}) == {"tier": "light"}
    with container.uow() as uow:
        created = identity.find_customer_by_phone(uow, phone=A)
        assert created is not None and service.get(uow, phone=A).customer_id == created.id  # created
        assert service.get(uow, phone=B).customer_id == existing.id  # reused
