"""Reading and reconciling: statements, a payment system's file against our records, the clearing check."""

from __future__ import annotations

from datetime import datetime

from yagona.ledger import service as ledger
from yagona.ledger.errors import AccountNotFoundError
from yagona.payments import repository
from yagona.payments.models import PaymentTransaction
from yagona.payments.schemas import (
    PERFORMED,
    TransactionRead,
)
from yagona.payments.service.common import (
    CLICK,
    PAYME,
    clearing_account,
)
from yagona.platform.uow import UnitOfWork

# --- reading and reconciling --------------------------------------------------------------------


def _read(tx: PaymentTransaction) -> TransactionRead:
    return TransactionRead.model_validate(tx, from_attributes=True)


def statement(uow: UnitOfWork, *, system: str, start: datetime, end: datetime) -> list[TransactionRead]:
    return [_read(tx) for tx in repository.between(uow.session, system, start, end)]


def reconcile(uow: UnitOfWork, *, rows: list[dict[str, str]]) -> list[str]:
    """A payment system's statement (`system,id,amount,state` rows, amount in tiyin) against
    Yagona's records and the ledger: every mismatch, as a line of text."""
    problems: list[str] = []
    seen: dict[str, set[str]] = {PAYME: set(), CLICK: set()}
    for number, row in enumerate(rows, start=2):
        system, external_id = row.get("system", ""), row.get("id", "")
        if system not in seen:
            problems.append(f"line {number}: unknown system {system!r}")
            continue
        seen[system].add(external_id)
        tx = repository.by_external(uow.session, system, external_id)
        if tx is None:
            problems.append(f"{system} {external_id}: in the statement, not in Yagona")
            continue
        if str(tx.amount) != row.get("amount", "").strip():
            problems.append(f"{system} {external_id}: amount {row.get('amount')} in the statement, {tx.amount} here")
        if str(tx.state) != row.get("state", "").strip():
            problems.append(f"{system} {external_id}: state {row.get('state')} in the statement, {tx.state} here")
    for system, ids in seen.items():
        problems.extend(
            f"{system} {tx.external_id}: performed in Yagona, not in the statement"
            for tx in repository.all_of(uow.session, system)
            if ids and tx.state == PERFORMED and tx.external_id not in ids
        )
    problems.extend(clearing_problems(uow))
    return problems


def clearing_problems(uow: UnitOfWork) -> list[str]:
    """Each clearing account owes exactly what was performed and not taken back."""
    problems: list[str] = []
    for system in (PAYME, CLICK):
        expected = -repository.net_credited(uow.session, system)
        try:
            actual = ledger.posted_balance(uow, code=clearing_account(system))
        except AccountNotFoundError:
            actual = 0
        if actual != expected:
            problems.append(f"{system}: the clearing account holds {actual}, the transactions say {expected}")
    return problems
