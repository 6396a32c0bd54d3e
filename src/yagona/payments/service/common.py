"""What the protocols share: the clearing accounts, a transaction's steps (credit, take back,
perform, cancel) and the account checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from yagona.home import service as home
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import NotFoundError
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.ledger.errors import AccountNotFoundError
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.lines import service as lines
from yagona.payments import repository, rules
from yagona.payments.errors import ClickError, PaymeError
from yagona.payments.events import PaymentCancelled, PaymentPerformed
from yagona.payments.models import PaymentTransaction
from yagona.payments.schemas import (
    PERFORMED,
)
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service as wallet

PAYME, CLICK = "payme", "click"
CLEARING_CHECK = "payments.clearing_check"  # the daily job: each clearing account against its transactions
CLEARING_CHECK_HOUR = 3  # Tashkent time


def clearing_account(system: str) -> str:
    return f"external:{system}"


class CommittedPaymeError(PaymeError):
    """A Payme error answered after a change that stays (the timeout's cancellation)."""


class CommittedClickError(ClickError):
    """A Click error answered after a change that stays (a cancellation)."""


# --- shared ------------------------------------------------------------------------------------


def ms(instant: datetime | None) -> int:
    return int(instant.timestamp() * 1000) if instant is not None else 0


def payme_error(code: int, data: Any = None) -> PaymeError:
    return PaymeError(code, rules.PAYME_MESSAGES[code], data)


def ensure_clearing(uow: UnitOfWork, system: str) -> None:
    code = clearing_account(system)
    spec = AccountCreate(code=code, owner="operator", kind="external", unit=Unit.SOM, allow_negative=True)
    try:
        ledger.get_account(uow, code=code)
    except AccountNotFoundError:
        try:
            with uow.session.begin_nested():
                ledger.open_account(uow, account=spec)
        except IntegrityError:
            ledger.open_account(uow, account=spec)
        schedule_clearing_check(uow)  # money clears from now on: the daily check starts


def schedule_clearing_check(uow: UnitOfWork) -> None:
    """The next daily check (once per day, whoever schedules it)."""
    now = uow.clock.now().astimezone(TASHKENT)
    due = now.replace(hour=CLEARING_CHECK_HOUR, minute=0, second=0, microsecond=0)
    if due <= now:
        due += timedelta(days=1)
    jobs.schedule(
        uow.session, key=f"{CLEARING_CHECK}:{due.date().isoformat()}", kind=CLEARING_CHECK, due_at=due,
        payload={}, now=uow.clock.now(),
    )  # fmt: skip


def account_problem(uow: UnitOfWork, target: str, number: str, amount: int) -> str | None:
    """None when the account can be paid `amount`; else `missing`, `blocked` or `limit` (a
    Light wallet's 30-day top-ups or its balance ceiling would be passed: refused before the
    customer pays, not only when the money arrives)."""
    if target == "home":
        # A suspended home account is paid: that is how it resumes; a closed one is not.
        found = home.payable(uow, contract=number)
        return "blocked" if found == "closed" else found
    try:
        if target == "line":
            line = lines.state(uow, msisdn=number)
            # A line blocked for debt is exactly what a top-up is for; any other block refuses.
            return "blocked" if line.status == "blocked" and line.block_reason != "debt" else None
        w = wallet.get(uow, phone=number)
    except NotFoundError:
        return "missing"
    if w.state != "active":
        return "blocked"
    over_topups = w.topups_30d_limit is not None and w.topups_30d + amount > w.topups_30d_limit
    over_balance = w.balance_limit is not None and w.balance + amount > w.balance_limit
    return "limit" if over_topups or over_balance else None


def credit_account(uow: UnitOfWork, tx: PaymentTransaction) -> None:
    """Money from the clearing account to the line, wallet or home account; a refusal rolls back
    its writes."""
    ensure_clearing(uow, tx.system)
    key = f"payments:{tx.system}:{tx.seq}"
    with uow.session.begin_nested():
        if tx.target == "line":
            lines.top_up(
                uow,
                msisdn=tx.account,
                amount=Money(tx.amount),
                idempotency_key=key,
                source_account=clearing_account(tx.system),
            )
        elif tx.target == "home":  # a suspended account that the payment covers resumes at once
            home.top_up(
                uow,
                contract=tx.account,
                amount=Money(tx.amount),
                idempotency_key=key,
                source_account=clearing_account(tx.system),
            )
        else:
            wallet.topup_from_payment_system(
                uow,
                phone=tx.account,
                amount=tx.amount,
                system=tx.system,
                source_account=clearing_account(tx.system),
                idempotency_key=key,
            )


def take_back(uow: UnitOfWork, tx: PaymentTransaction) -> bool:
    """Cancel after perform: the money goes back to the clearing account only while the line,
    the wallet or the home account still holds it; else nothing moves (False)."""
    key = f"payments:{tx.system}:{tx.seq}:cancel"
    if tx.target == "home":  # under the account's lock, like a line's (home.take_back)
        return home.take_back(
            uow, contract=tx.account, amount=tx.amount, destination_account=clearing_account(tx.system),
            idempotency_key=key,
        )  # fmt: skip
    if tx.target == "wallet":
        receipt = wallet.reverse_payment_system_topup(
            uow,
            phone=tx.account,
            amount=tx.amount,
            system=tx.system,
            destination_account=clearing_account(tx.system),
            idempotency_key=key,
        )
        return receipt is not None
    # The check and the debit are one step under the line's locks (lines.take_back): two
    # cancels, or a cancel and a spend, cannot both use the same money.
    return lines.take_back(
        uow, msisdn=tx.account, amount=tx.amount, destination_account=clearing_account(tx.system), idempotency_key=key
    )


def perform_transaction(uow: UnitOfWork, tx: PaymentTransaction) -> None:
    credit_account(uow, tx)
    tx.state, tx.performed_at = PERFORMED, uow.clock.now()
    uow.session.flush()
    uow.add_event(
        PaymentPerformed(
            occurred_at=tx.performed_at,
            system=tx.system,
            transaction=tx.seq,
            target=tx.target,
            account=tx.account,
            amount=tx.amount,
        )
    )


def cancel_transaction(uow: UnitOfWork, tx: PaymentTransaction, *, state: int, reason: int | None) -> None:
    tx.state, tx.reason, tx.cancelled_at = state, reason, uow.clock.now()
    uow.session.flush()
    uow.add_event(
        PaymentCancelled(occurred_at=tx.cancelled_at, system=tx.system, transaction=tx.seq, state=state, reason=reason)
    )


def insert_transaction(uow: UnitOfWork, row: PaymentTransaction) -> PaymentTransaction:
    """A new transaction; two first calls with the same external id at once: the second reads
    the first one's row."""
    try:
        with uow.session.begin_nested():
            return repository.add(uow.session, row)
    except IntegrityError:
        existing = repository.by_external(uow.session, row.system, row.external_id, lock=True)
        assert existing is not None
        return existing
