"""Money from a payment system (Payme, Click through the payments domain): the credit is
`top_up` with the system's clearing account as its source (a suspended account that the
payment covers resumes at once, as for any payment); here what a payment system needs
besides: whether an account can be paid, and taking a payment back when the system cancels it."""

from __future__ import annotations

from typing import Literal

from yagona.home import repository, rules
from yagona.home.service._base import _for_change, account_of, balance
from yagona.kernel.errors import InsufficientFundsError
from yagona.ledger import service as ledger
from yagona.platform.uow import UnitOfWork


def payable(uow: UnitOfWork, *, contract: str) -> Literal["missing", "closed"] | None:
    """None when money can be paid into the contract's account; `missing` when there is no
    such contract (or the text is not a contract number), `closed` when it has ended."""
    number = rules.contract_of(contract)
    if number is None or number != contract.strip():  # a contract, not an IPTV number
        return "missing"
    row = repository.account(uow.session, number)
    if row is None:
        return "missing"
    return "closed" if row.state == "closed" else None


def take_back(uow: UnitOfWork, *, contract: str, amount: int, destination_account: str, idempotency_key: str) -> bool:
    """A payer takes back a payment (a payment system's cancel): the money leaves the account
    only while the account still holds it; else nothing moves (False). The account's row lock
    (every fee is charged under it) makes the check and the debit one step, and the account
    cannot go negative in the ledger either: two take-backs, or a take-back and a fee, cannot
    both use the same money."""
    row = _for_change(uow, contract)
    if balance(uow, row.contract) < amount:
        return False
    savepoint = uow.session.begin_nested()
    try:
        ledger.transfer(
            uow, debit=account_of(row.contract), credit=destination_account, amount=amount,
            reason="topup.reversal", idempotency_key=idempotency_key,
        )  # fmt: skip
    except InsufficientFundsError:
        savepoint.rollback()
        return False
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return True
