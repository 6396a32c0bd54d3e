"""Money paid in: at a desk, or the wallet's `home-internet` and `iptv` providers (HomePayments)."""

from __future__ import annotations

import hashlib

from yagona.home import repository, rules
from yagona.home.errors import (
    HomeStateError,
    InvalidRequestError,
)
from yagona.home.events import (
    HomeResumed,
    HomeToppedUp,
)
from yagona.home.models import HomeAccount
from yagona.home.schemas import HomeAccountState
from yagona.home.service._base import (
    PAYMENTS,
    _for_change,
    _found,
    _period_fee,
    _state,
    account_of,
    balance,
)
from yagona.home.service.billing import (
    _start_period,
)
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.platform.bus import consume_once
from yagona.platform.uow import UnitOfWork


def top_up(
    uow: UnitOfWork, *, contract: str, amount: Money, idempotency_key: str, source_account: str = PAYMENTS
) -> HomeAccountState:
    """Money paid in at a desk, a card or a partner; a replay with the same key changes nothing."""
    if amount.tiyin <= 0:
        raise InvalidRequestError("a top-up is a positive amount", field="amount")
    row = _for_payment(uow, contract)
    ledger.transfer(
        uow,
        debit=source_account,
        credit=account_of(row.contract),
        amount=amount.tiyin,
        reason="topup",
        idempotency_key=idempotency_key,
    )
    _after_payment(uow, row, amount.tiyin, idempotency_key=idempotency_key)
    return _state(uow, row)


class HomePayments:
    """The wallet's providers `home-internet` (account = the contract) and `iptv` (account =
    the IPTV number): the payment credits the home account and may resume it. It satisfies
    the wallet's PaymentProvider protocol without importing the wallet (siblings)."""

    def settlement_account(self, uow: UnitOfWork, *, account: str) -> str:
        return account_of(_for_payment(uow, account, lock=False).contract)

    def apply_payment(self, uow: UnitOfWork, *, account: str, amount: int, idempotency_key: str) -> None:
        _after_payment(uow, _for_payment(uow, account), amount, idempotency_key=idempotency_key)


def _for_payment(uow: UnitOfWork, account: str, *, lock: bool = True) -> HomeAccount:
    contract = rules.contract_of(account)
    if contract is None:
        raise InvalidRequestError(
            f"{account[:32]!r} is not a contract ({rules.CONTRACT_FORMAT}) nor an IPTV number ({rules.IPTV_FORMAT})",
            field="account",
        )
    row = _for_change(uow, contract) if lock else _found(repository.account(uow.session, contract), contract)
    if row.state == "closed":
        raise HomeStateError(f"contract {row.contract} is closed", state=row.state)
    return row


def _after_payment(uow: UnitOfWork, row: HomeAccount, amount: int, *, idempotency_key: str) -> None:
    now = uow.clock.now()
    marker = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    if not consume_once(uow.session, consumer="home.payment", event_id=marker, now=now):
        return  # this payment was applied before
    uow.add_event(HomeToppedUp(occurred_at=now, contract=row.contract, amount_tiyin=amount))
    if rules.resumes(row.state, balance(uow, row.contract), _period_fee(uow, row, next_period=True)):
        _start_period(uow, row, reason="resume")
        uow.add_event(HomeResumed(occurred_at=now, contract=row.contract))
