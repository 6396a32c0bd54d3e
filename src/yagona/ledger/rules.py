"""Pure rules of the ledger: how a transfer changes balances, and which flags it may break."""

from __future__ import annotations

from dataclasses import dataclass

from yagona.ledger.errors import InsufficientFundsError, LimitExceededError


@dataclass(slots=True)
class Totals:
    """Running totals of one account shard."""

    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0


@dataclass(frozen=True, slots=True)
class Flags:
    allow_negative: bool
    upper_limit: int | None


def balance(totals: Totals) -> int:
    return totals.credits_posted - totals.debits_posted


def check_debit(code: str, flags: Flags, totals: Totals) -> None:
    """After a debit: an account that may not go negative keeps posted minus held ≥ 0."""
    if flags.allow_negative:
        return
    available = totals.credits_posted - totals.debits_posted - totals.debits_pending
    if available < 0:
        raise InsufficientFundsError("not enough funds for this operation", account=code, short_by=-available)


def check_credit(code: str, flags: Flags, totals: Totals) -> None:
    """After a credit: the balance, counting what pending credits will bring, stays under the ceiling."""
    if flags.upper_limit is None:
        return
    ceiling_use = totals.credits_posted + totals.credits_pending - totals.debits_posted
    if ceiling_use > flags.upper_limit:
        raise LimitExceededError(
            "the balance may not exceed its limit", account=code, over_by=ceiling_use - flags.upper_limit
        )


def apply_transfer(debit: Totals, credit: Totals, amount: int, *, pending: bool) -> None:
    assert amount > 0, "amounts are positive"
    if pending:
        debit.debits_pending += amount
        credit.credits_pending += amount
    else:
        debit.debits_posted += amount
        credit.credits_posted += amount


def resolve_pending(debit: Totals, credit: Totals, pending_amount: int, *, post_amount: int) -> None:
    """Release what a pending transfer held and post `post_amount` (0 voids it)."""
    assert 0 <= post_amount <= pending_amount
    debit.debits_pending -= pending_amount
    credit.credits_pending -= pending_amount
    assert debit.debits_pending >= 0 and credit.credits_pending >= 0, "pending totals never go below zero"
    debit.debits_posted += post_amount
    credit.credits_posted += post_amount
