from __future__ import annotations

import pytest

from yagona.kernel.errors import InsufficientFundsError, LimitExceededError
from yagona.ledger.rules import Flags, Totals, apply_transfer, balance, check_credit, check_debit, resolve_pending


def test_a_posted_transfer_moves_the_amount_and_a_pending_one_holds_it() -> None:
    debit, credit = Totals(credits_posted=1_000), Totals()
    apply_transfer(debit, credit, 300, pending=False)
    apply_transfer(debit, credit, 200, pending=True)
    assert (balance(debit), debit.debits_pending, balance(credit), credit.credits_pending) == (700, 200, 300, 200)


def test_an_account_that_may_not_go_negative_counts_what_is_held() -> None:
    flags = Flags(allow_negative=False, upper_limit=None)
    check_debit("w", flags, Totals(credits_posted=500, debits_pending=500))
    with pytest.raises(InsufficientFundsError) as caught:
        check_debit("w", flags, Totals(credits_posted=500, debits_pending=501))
    assert caught.value.details == {"account": "w", "short_by": 1}
    check_debit("line", Flags(allow_negative=True, upper_limit=None), Totals(debits_posted=10))


def test_the_ceiling_counts_pending_credits() -> None:
    flags = Flags(allow_negative=False, upper_limit=1_000)
    check_credit("w", flags, Totals(credits_posted=600, credits_pending=400))
    with pytest.raises(LimitExceededError) as caught:
        check_credit("w", flags, Totals(credits_posted=600, credits_pending=401))
    assert caught.value.details["over_by"] == 1


def test_resolving_a_pending_transfer_releases_it_and_posts_what_was_asked() -> None:
    debit, credit = Totals(credits_posted=1_000, debits_pending=700), Totals(credits_pending=700)
    resolve_pending(debit, credit, 700, post_amount=500)
    assert (balance(debit), debit.debits_pending, balance(credit), credit.credits_pending) == (500, 0, 500, 0)
