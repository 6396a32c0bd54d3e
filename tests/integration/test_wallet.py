"""The e-wallet of the public offer (seed 002), clause by clause, on SQLite and PostgreSQL.
Section numbers point into the offer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories.home import contract_to_pay
from tests.factories.wallet import (
    BIRTH,
    LIGHT_LIMIT,
    PIN,
    StandInMobileProvider,
    offer_version,
    phone,
    premium,
    register,
    som,
    top_up,
)
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.errors import YagonaError
from yagona.kernel.ids import new_id
from yagona.ledger import service as ledger_service
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service
from yagona.wallet.models import WalletAccount, WalletOperation
from yagona.wallet.schemas import OperationStatus, Tier, WalletRead, WalletStatus

A, B = phone(1), phone(2)


def _refused(container: Container, code: str, action: object) -> YagonaError:
    """Run `action(uow)` in its own unit of work; it must be refused with `code`. The refusal
    leaves the unit of work as it does in every channel, so a refusal that persists its
    record (a counted wrong PIN) is committed by it."""
    with pytest.raises(YagonaError) as caught, container.uow() as uow:
        action(uow)  # type: ignore[operator]
    assert caught.value.code == code, caught.value
    return caught.value


def _count(uow: UnitOfWork, model: type[WalletAccount] | type[WalletOperation]) -> int:
    return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _wallet(container: Container, number: str) -> WalletRead:
    with container.uow() as uow:
        return service.get(uow, phone=number)


@pytest.fixture
def mobile() -> Iterator[StandInMobileProvider]:
    """A stand-in for the lines domain's `mobile` provider (tests only)."""
    provider, before = StandInMobileProvider(), service.registered_payment_providers()
    service.register_payment_providers({**before, "mobile": provider})
    yield provider
    service.register_payment_providers(before)


# --- 4.1 registration -----------------------------------------------------------------------------


def test_registration_gives_a_light_wallet_on_the_ledger(container: Container) -> None:
    with container.uow() as uow:
        wallet = service.register(
            uow, customer_id="c-1", phone="+998 90 000-00-01", pin=PIN, birth_date=BIRTH, accept_offer=True,
            offer_version=offer_version(),
        )  # fmt: skip
        uow.commit()
    assert (wallet.phone, wallet.tier, wallet.state, wallet.balance) == (A, Tier.LIGHT, WalletStatus.ACTIVE, 0)
    assert wallet.balance_limit == wallet.topups_30d_limit == LIGHT_LIMIT == som(1_225_000)
    with container.uow() as uow:
        account = ledger_service.get_account(uow, code=f"wallet:{A}")
        stored = uow.session.get(WalletAccount, A)
        assert stored is not None and stored.pin_hash is not None and stored.pin_hash.startswith("$hmac-sha256$")
        assert PIN not in stored.pin_hash
    assert (account.allow_negative, account.upper_limit) == (False, LIGHT_LIMIT)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"accept_offer": False}, "offer_not_accepted"),
        ({"offer_version": "2019-01-01"}, "offer_version_mismatch"),  # an old edition of the offer
        ({"offer_version": None}, "offer_version_mismatch"),
        ({"phone": "12345"}, "invalid_phone"),
        ({"phone": ""}, "invalid_phone"),
        ({"pin": ""}, "invalid_request"),
        ({"pin": "12a4"}, "invalid_request"),
        ({"pin": "123"}, "invalid_request"),
        ({"pin": "1234567"}, "invalid_request"),
        ({"birth_date": None}, "invalid_request"),
        ({"birth_date": date(2030, 1, 1)}, "invalid_request"),  # in the future
        ({"birth_date": date(2010, 1, 1)}, "invalid_request"),  # not of age (offer 2.5)
    ],
)
def test_any_missing_or_invalid_item_refuses_registration(
    container: Container, fields: dict[str, object], code: str
) -> None:
    request: dict[str, object] = {
        "customer_id": "c-1", "phone": A, "pin": PIN, "birth_date": BIRTH, "accept_offer": True,
        "offer_version": offer_version(), **fields,
    }  # fmt: skip
    _refused(container, code, lambda uow: service.register(uow, **request))  # type: ignore[arg-type]
    with container.uow() as uow:
        assert _count(uow, WalletAccount) == 0


def test_a_phone_has_one_wallet(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        uow.commit()
    _refused(container, "wallet_exists", lambda uow: register(uow, A))


# --- 4.2 Premium ----------------------------------------------------------------------------------------


def test_identification_in_an_office_makes_the_wallet_premium_at_once(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        uow.commit()
    _refused(
        container,
        "invalid_request",
        lambda uow: service.identify(uow, phone=A, document="AA1234567", birth_date=date(1991, 1, 1)),
    )
    _refused(container, "invalid_request", lambda uow: service.identify(uow, phone=A, document=""))
    with container.uow() as uow:
        wallet = service.identify(uow, phone=A, document="aa 1234567", birth_date=BIRTH, staff="office-7")
        uow.commit()
    assert wallet.tier == Tier.PREMIUM and wallet.balance_limit is None and wallet.identified_at is not None
    assert _wallet(container, A).tier == Tier.PREMIUM  # shown at once
    with container.uow() as uow:
        assert ledger_service.get_account(uow, code=f"wallet:{A}").upper_limit is None
        # 4.5.2: no limits of the offer beyond the law
        top_up(uow, A, LIGHT_LIMIT)
        top_up(uow, A, som(5_000_000))
        uow.commit()
    assert _wallet(container, A).balance == LIGHT_LIMIT + som(5_000_000)


# --- 4.3 top-ups ------------------------------------------------------------------------------------------


def test_a_card_top_up_is_held_until_the_processor_approves(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        approved = service.topup(
            uow, phone=A, amount=som(100_000), source="card", idempotency_key="c1", card_number="8600123412341234"
        )
        uow.commit()
    assert approved.status == OperationStatus.COMPLETED and approved.commission == 0  # annex 1: 0 %
    assert approved.payer == "card 8600 **** **** 1234" and approved.payee == f"wallet {A}"
    with container.uow() as uow:
        history = ledger_service.history(uow, code=f"wallet:{A}").items
    assert [t.kind.value for t in history] == ["post_pending", "pending"]
    assert _wallet(container, A).balance == som(100_000)


def test_a_declined_card_top_up_is_voided_and_counts_for_nothing(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        declined = service.topup(
            uow, phone=A, amount=som(100_000), source="card", idempotency_key="c1", card_number="8600123412340002"
        )
        uow.commit()
    assert declined.status == OperationStatus.DECLINED
    wallet = _wallet(container, A)
    assert (wallet.balance, wallet.available, wallet.topups_30d) == (0, 0, 0)


def test_a_held_card_top_up_waits_for_the_processors_callback(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        held = service.topup(
            uow, phone=A, amount=som(1_000_000), source="card", idempotency_key="c1", card_number="8600123412340003"
        )
        uow.commit()
    assert held.status == OperationStatus.PENDING
    wallet = _wallet(container, A)
    # Not usable yet (4.3.2), but it reserves its place under the Light limits.
    assert (wallet.balance, wallet.available, wallet.topups_30d) == (0, 0, som(1_000_000))
    _refused(container, "limit_exceeded", lambda uow: top_up(uow, A, som(300_000)))
    with container.uow() as uow:
        confirmed = service.confirm_card_topup(uow, number=held.number, approved=True)
        uow.commit()
    assert confirmed.status == OperationStatus.COMPLETED
    with container.uow() as uow:  # the processor repeats itself: same answer
        assert service.confirm_card_topup(uow, number=held.number, approved=True).status == OperationStatus.COMPLETED
    _refused(container, "conflict", lambda uow: service.confirm_card_topup(uow, number=held.number, approved=False))
    assert _wallet(container, A).balance == som(1_000_000)


def test_promotions_top_up_and_unknown_sources_are_refused(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        receipt = service.topup(uow, phone=A, amount=som(5_000), source="promo", idempotency_key="p", promotion="bahor")
        uow.commit()
    assert receipt.payer == "promotion bahor" and receipt.status == OperationStatus.COMPLETED
    _refused(
        container,
        "invalid_request",
        lambda uow: service.topup(uow, phone=A, amount=1, source="cash", idempotency_key="x"),
    )
    _refused(
        container,
        "invalid_request",
        lambda uow: service.topup(uow, phone=A, amount=0, source="promo", idempotency_key="x"),
    )
    _refused(container, "not_found", lambda uow: top_up(uow, B, 100))


# --- 4.5.1 Light limits --------------------------------------------------------------------------------------


def test_light_balance_never_exceeds_5_bhm(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, LIGHT_LIMIT)  # exactly 5 BHM = 1 225 000 so'm: allowed
        uow.commit()
    _refused(container, "limit_exceeded", lambda uow: top_up(uow, A, 1))
    assert _wallet(container, A).balance == LIGHT_LIMIT


def test_light_top_ups_over_30_calendar_days_stay_within_5_bhm(container: Container, clock: SimulatedClock) -> None:
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(1_000_000))
        service.pay(uow, phone=A, provider="home-internet", account=contract_to_pay(uow, container.settings), amount=som(900_000), pin=PIN,
                    idempotency_key="p1")  # fmt: skip
        uow.commit()
    # The balance is 100 000 so'm, far below 5 BHM, but the month's top-ups are not.
    _refused(container, "limit_exceeded", lambda uow: top_up(uow, A, som(225_001)))
    with container.uow() as uow:
        top_up(uow, A, som(225_000))  # 1 225 000 so'm in 30 days: exactly the limit
        uow.commit()
    clock.advance_by(timedelta(days=29))  # day 30 of the window still counts the first day
    _refused(container, "limit_exceeded", lambda uow: top_up(uow, A, 1))
    clock.advance_by(timedelta(days=1))
    with container.uow() as uow:
        top_up(uow, A, som(900_000))  # the first day's top-ups left the window
        uow.commit()
        state = service.state(uow, phone=A)
    assert (state.topups_30d, state.balance) == (som(900_000), LIGHT_LIMIT)  # and the balance is at 5 BHM


def test_an_operation_that_breaks_a_limit_of_either_wallet_is_refused_whole(container: Container) -> None:
    with container.uow() as uow:
        premium(uow, A)
        register(uow, B)
        top_up(uow, A, som(3_000_000))
        top_up(uow, B, som(1_000_000))
        uow.commit()
    # B is Light: 1 000 000 + 300 000 would pass 5 BHM on its balance and its month.
    error = _refused(
        container,
        "limit_exceeded",
        lambda uow: service.transfer(uow, from_phone=A, to_phone=B, amount=som(300_000), pin=PIN, idempotency_key="t"),
    )
    assert "4.5.1" in error.message
    assert (_wallet(container, A).balance, _wallet(container, B).balance) == (som(3_000_000), som(1_000_000))


# --- 4.4 transfers and payments ----------------------------------------------------------------------------------


def test_a_transfer_is_free_and_is_a_top_up_of_the_payee(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(100_000))
        receipt = service.transfer(uow, from_phone=A, to_phone=B, amount=som(40_000), pin=PIN, idempotency_key="t1")
        uow.commit()
    assert (receipt.amount, receipt.commission, receipt.total) == (som(40_000), 0, som(40_000))  # annex 1: 0 %
    assert (receipt.payer, receipt.payee) == (f"wallet {A}", f"wallet {B}")
    assert _wallet(container, A).balance == som(60_000)
    assert (_wallet(container, B).balance, _wallet(container, B).topups_30d) == (som(40_000), som(40_000))
    assert _wallet(container, A).topups_30d == som(100_000)  # sending is not a top-up


def test_transfer_refusals(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(100_000))
        uow.commit()

    def send(amount: int, to: str = B, pin: str = PIN, key: str = "t") -> object:
        return lambda uow: service.transfer(uow, from_phone=A, to_phone=to, amount=amount, pin=pin, idempotency_key=key)

    _refused(container, "insufficient_funds", send(som(100_000) + 1))
    _refused(container, "invalid_pin", send(som(1), pin="99999"))
    _refused(container, "not_found", send(som(1), to=phone(9)))
    _refused(container, "invalid_request", send(som(1), to=A))
    _refused(container, "invalid_request", send(-5))
    assert (_wallet(container, A).balance, _wallet(container, B).balance) == (som(100_000), 0)  # nothing moved


def test_payments_to_providers_with_the_commission_table(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(100_000))
        contract = contract_to_pay(uow, container.settings)
        internet = service.pay(
            uow, phone=A, provider="home-internet", account=contract, amount=som(50_000), pin=PIN, idempotency_key="1"
        )
        light = service.pay(
            uow, phone=A, provider="electricity", account="0123456789", amount=som(20_000), pin=PIN, idempotency_key="2"
        )
        uow.commit()
    assert (internet.commission, internet.provider, internet.account) == (0, "home-internet", contract)
    assert (light.amount, light.commission, light.total) == (som(20_000), som(200), som(20_200))  # demo row: 1 %
    with container.uow() as uow:
        assert ledger_service.get_account(uow, code=f"home:{contract}").balance == som(50_000)
        assert ledger_service.get_account(uow, code="provider:electricity").balance == som(20_000)
        assert ledger_service.get_account(uow, code=service.COMMISSION).balance == som(200)
    assert _wallet(container, A).balance == som(29_800)


def test_the_request_plus_every_commission_may_not_exceed_the_balance(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(10_000))
        uow.commit()
    # 10 000 so'm to pay + 100 so'm commission (the row's floor) > 10 000 so'm available (4.4.4)
    _refused(
        container,
        "insufficient_funds",
        lambda uow: service.pay(
            uow, phone=A, provider="gas", account="12345678", amount=som(10_000), pin=PIN, idempotency_key="g"
        ),
    )
    with container.uow() as uow:
        receipt = service.pay(uow, phone=A, provider="gas", account="12345678", amount=som(9_900), pin=PIN,
                              idempotency_key="g")  # fmt: skip
        uow.commit()
    assert receipt.total == som(10_000) and _wallet(container, A).balance == 0


def test_unknown_providers_and_invalid_accounts_are_refused(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(10_000))
        uow.commit()

    def pay(provider: str, account: str) -> object:
        return lambda uow: service.pay(
            uow, phone=A, provider=provider, account=account, amount=som(1_000), pin=PIN, idempotency_key="x"
        )

    _refused(container, "not_found", pay("casino", "1"))
    _refused(container, "invalid_request", pay("water", "12"))
    _refused(container, "invalid_request", pay("iptv", "12345678"))
    _refused(container, "invalid_request", pay("mobile", "99890"))
    _refused(container, "not_found", pay("mobile", "998901234567"))  # no such line (or no provider registered)
    assert _wallet(container, A).balance == som(10_000)


def test_paying_the_mobile_provider_credits_the_line_through_the_protocol(
    container: Container, mobile: StandInMobileProvider
) -> None:
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(10_000))
        receipt = service.pay(
            uow, phone=A, provider="mobile", account="998911112233", amount=som(7_000), pin=PIN, idempotency_key="m"
        )
        uow.commit()
    assert receipt.provider == "mobile" and receipt.account == "998911112233"
    with container.uow() as uow:
        assert ledger_service.get_account(uow, code="line:998911112233").balance == som(7_000)
        [leg] = ledger_service.history(uow, code="line:998911112233").items
    assert leg.debit == f"wallet:{A}" and leg.reason == "wallet.payment"  # one linked batch, by the wallet
    [(account, amount, key)] = mobile.applied
    assert (account, amount) == ("998911112233", som(7_000)) and key.startswith("wallet:")


def test_a_payment_to_a_wrong_but_valid_account_stands(container: Container) -> None:
    """4.4.5: the customer answers for the details; nothing is reversed automatically."""
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(10_000))
        service.pay(uow, phone=A, provider="water", account="999999", amount=som(5_000), pin=PIN, idempotency_key="w")
        uow.commit()
    assert _wallet(container, A).balance == som(4_900)  # 5 000 so'm and the 100 so'm commission


# --- receipts (2.19) -----------------------------------------------------------------------------------------


def test_every_operation_has_a_receipt_with_its_mandatory_details(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(50_000))
        service.transfer(uow, from_phone=A, to_phone=B, amount=som(1_000), pin=PIN, idempotency_key="t")
        paid = service.pay(uow, phone=A, provider="electricity", account="0123456789", amount=som(10_000), pin=PIN,
                           idempotency_key="e")  # fmt: skip
        uow.commit()
    with container.uow() as uow:
        page = service.receipts(uow, phone=A, limit=2)
        rest = service.receipts(uow, phone=A, cursor=page.next_cursor, limit=2)
        again = service.receipt(uow, phone=A, number=paid.number)
        theirs = service.receipts(uow, phone=B)
    assert [r.kind.value for r in page.items + rest.items] == ["payment", "transfer", "topup_promo"]
    assert rest.next_cursor is None and again == paid
    assert [r.kind.value for r in theirs.items] == ["transfer"]  # the payee sees the transfer too
    assert paid.created_at.utcoffset() == timedelta(hours=5)  # Tashkent time
    text = paid.as_text()
    for detail in (paid.number, "2026-03-15 14:00:00 +0500", f"wallet {A}", "0123456789", "10 000.00 so'm",
                   "100.00 so'm", "completed"):  # fmt: skip
        assert detail in text
    _refused(container, "not_found", lambda uow: service.receipt(uow, phone=B, number=paid.number))
    _refused(container, "not_found", lambda uow: service.receipt(uow, phone=A, number="nonsense"))


# --- replays -----------------------------------------------------------------------------------------------------


def test_the_same_idempotency_key_replays_and_a_different_request_is_refused(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(100_000))
        uow.commit()
    answers = []
    for _ in range(3):
        with container.uow() as uow:
            answers.append(
                service.transfer(uow, from_phone=A, to_phone=B, amount=som(10_000), pin=PIN, idempotency_key="same")
            )
            uow.commit()
    assert answers[0] == answers[1] == answers[2]
    assert _wallet(container, B).balance == som(10_000)  # moved once
    _refused(
        container,
        "idempotency_conflict",
        lambda uow: service.transfer(uow, from_phone=A, to_phone=B, amount=som(1), pin=PIN, idempotency_key="same"),
    )
    for _ in range(2):
        with container.uow() as uow:
            service.topup(uow, phone=B, amount=som(5), source="promo", idempotency_key="promo-1")
            uow.commit()
    assert _wallet(container, B).balance == som(10_005)


# --- PIN attempts ---------------------------------------------------------------------------------------------------


def test_wrong_pins_are_counted_and_lock_the_pin(container: Container, clock: SimulatedClock) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(1_000))
        uow.commit()

    def send(pin: str) -> object:
        return lambda uow: service.transfer(
            uow, from_phone=A, to_phone=B, amount=100, pin=pin, idempotency_key=new_id()
        )

    assert _refused(container, "invalid_pin", send("11111")).details == {"attempts_left": 2}
    assert _refused(container, "invalid_pin", send("11111")).details == {"attempts_left": 1}
    locked = _refused(container, "invalid_pin", send("11111"))
    assert "locked_until" in locked.details
    _refused(container, "invalid_pin", send(PIN))  # even the right PIN, while locked
    clock.advance_by(timedelta(minutes=30))
    with container.uow() as uow:
        send(PIN)(uow)  # type: ignore[operator]
        uow.commit()
    assert _wallet(container, B).balance == 100


# --- 4.6 states -------------------------------------------------------------------------------------------------------


def test_closing_needs_a_zero_balance_and_is_final(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(1_000))
        uow.commit()
    _refused(container, "balance_not_zero", lambda uow: service.close(uow, phone=A, pin=PIN))
    with container.uow() as uow:
        service.transfer(uow, from_phone=A, to_phone=B, amount=som(1_000), pin=PIN, idempotency_key="t")
        closed = service.close(uow, phone=A, pin=PIN)
        uow.commit()
    assert closed.state == WalletStatus.CLOSED
    _refused(container, "wallet_closed", lambda uow: top_up(uow, A, 1))
    _refused(
        container,
        "wallet_closed",
        lambda uow: service.transfer(uow, from_phone=B, to_phone=A, amount=1, pin=PIN, idempotency_key="x"),
    )
    _refused(container, "wallet_closed", lambda uow: service.restore(uow, phone=A))
    with container.uow() as uow:
        assert ledger_service.get_account(uow, code=f"wallet:{A}").upper_limit == 0  # nothing can come in


def test_a_lost_phone_blocks_the_wallet_until_the_call_centre_restores_it(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(10_000))
        # 6.3: until the report, an order from the phone is the customer's: it stands.
        service.transfer(uow, from_phone=A, to_phone=B, amount=som(1_000), pin=PIN, idempotency_key="before")
        blocked = service.block(uow, phone=A, reason="lost")
        uow.commit()
    assert (blocked.state, blocked.block_reason, blocked.balance) == (WalletStatus.BLOCKED, "lost", som(9_000))
    _refused(
        container,
        "wallet_blocked",
        lambda uow: service.transfer(uow, from_phone=A, to_phone=B, amount=1, pin=PIN, idempotency_key="after"),
    )
    _refused(
        container,
        "wallet_blocked",
        lambda uow: service.transfer(uow, from_phone=B, to_phone=A, amount=1, pin=PIN, idempotency_key="in"),
    )
    _refused(container, "wallet_blocked", lambda uow: service.close(uow, phone=A))
    _refused(container, "invalid_request", lambda uow: service.block(uow, phone=A, reason="boredom"))
    with container.uow() as uow:
        restored = service.restore(uow, phone=A)
        uow.commit()
    assert restored.state == WalletStatus.ACTIVE and restored.balance == som(9_000)


def test_a_fraud_suspicion_freezes_the_funds_until_released(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(10_000))
        frozen = service.block(uow, phone=A, reason="fraud")
        uow.commit()
    assert (frozen.balance, frozen.available, frozen.frozen) == (som(10_000), 0, som(10_000))
    _refused(
        container,
        "wallet_blocked",
        lambda uow: service.pay(
            uow, phone=A, provider="water", account="123456", amount=1, pin=PIN, idempotency_key="w"
        ),
    )
    with container.uow() as uow:
        released = service.release(uow, phone=A)
        uow.commit()
    assert (released.state, released.available, released.frozen) == (WalletStatus.ACTIVE, som(10_000), 0)
    _refused(container, "conflict", lambda uow: service.release(uow, phone=A))


def test_frozen_funds_returned_as_the_law_says_close_the_wallet(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(10_000))
        service.block(uow, phone=A, reason="fraud")
        receipt = service.return_frozen(uow, phone=A, idempotency_key="r")
        uow.commit()
    assert receipt.amount == som(10_000) and receipt.kind.value == "return"
    wallet = _wallet(container, A)
    assert (wallet.state, wallet.balance) == (WalletStatus.CLOSED, 0)
    with container.uow() as uow:
        assert ledger_service.get_account(uow, code=service.RETURNS).balance == som(10_000)  # paid out to the customer


def test_a_forgotten_pin_is_cancelled_and_restored_with_the_birth_date(container: Container) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(1_000))
        forgotten = service.forget_pin(uow, phone=A)
        uow.commit()
    assert (forgotten.state, forgotten.block_reason) == (WalletStatus.BLOCKED, "pin_forgotten")
    _refused(
        container,
        "invalid_pin",
        lambda uow: service.transfer(uow, from_phone=A, to_phone=B, amount=1, pin=PIN, idempotency_key="x"),
    )
    _refused(container, "invalid_request", lambda uow: service.restore(uow, phone=A))
    _refused(container, "invalid_request", lambda uow: service.restore(uow, phone=A, birth_date=date(1990, 5, 18)))
    with container.uow() as uow:
        restored = service.restore(uow, phone=A, birth_date=BIRTH, new_pin="1357")
        uow.commit()
    assert restored.state == WalletStatus.ACTIVE
    _refused(
        container,
        "invalid_pin",
        lambda uow: service.transfer(uow, from_phone=A, to_phone=B, amount=1, pin=PIN, idempotency_key="y"),
    )
    with container.uow() as uow:
        service.transfer(uow, from_phone=A, to_phone=B, amount=som(1_000), pin="1357", idempotency_key="z")
        uow.commit()


# --- dormancy (4.5.3, 4.6.1 d, 4.6.5) ------------------------------------------------------------------------------


def test_three_years_without_an_operation_block_the_wallet_for_good(
    container: Container, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(7_000))
        top_up(uow, B, som(7_000))
        uow.commit()
    start = clock.now()
    clock.advance_to(start + timedelta(days=365 * 2))
    with container.uow() as uow:  # B pays: an operation postpones B's dormancy
        service.pay(uow, phone=B, provider="water", account="123456", amount=som(1_000), pin=PIN, idempotency_key="w")
        uow.commit()
    clock.advance_to(start.replace(year=start.year + 3))  # exactly 3 years: not *more* than 3
    # (the water payment's bonus point expires on the way: only the wallet's own jobs count here)
    assert [o for o in container.jobs.run_due() if o.effects and o.job.kind == service.DORMANCY_JOB] == []
    clock.advance_by(timedelta(seconds=1))
    outcomes = container.jobs.run_due()
    effects = [e for o in outcomes for e in o.effects]
    assert all(o.ok for o in outcomes)
    assert effects == [{"at": "2029-03-15T14:00:01+05:00", "phone": A, "kind": "dormant", "amount": 7000}]
    a = _wallet(container, A)
    assert (a.state, a.block_reason, a.balance) == (WalletStatus.BLOCKED, "dormant", 0)
    assert _wallet(container, B).state == WalletStatus.ACTIVE
    with container.uow() as uow:
        assert ledger_service.get_account(uow, code=service.DORMANT_INCOME).balance == som(7_000)
    _refused(container, "wallet_blocked", lambda uow: service.restore(uow, phone=A))  # 4.6.5: never restored
    _refused(container, "wallet_blocked", lambda uow: top_up(uow, A, 1))
    clock.advance_to(start.replace(year=start.year + 5, day=16))
    [b_dormant] = [e for o in container.jobs.run_due() for e in o.effects]
    assert (b_dormant["phone"], b_dormant["amount"]) == (B, 5900)  # 7 000 - 1 000 - 100 commission


def test_the_dormancy_job_run_twice_changes_nothing(container: Container, clock: SimulatedClock) -> None:
    from yagona.wallet import tasks

    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, som(3_000))
        uow.commit()
    clock.advance_by(timedelta(days=3 * 366))
    [job] = [o.job for o in container.jobs.run_due() if o.job.kind == "wallet.dormancy"]
    for _ in range(2):
        with container.uow() as uow:
            assert tasks.dormancy(uow, job) == []
            uow.commit()
    with container.uow() as uow:
        assert ledger_service.get_account(uow, code=service.DORMANT_INCOME).balance == som(3_000)
        assert _count(uow, WalletOperation) == 2  # the top-up and one forfeit
