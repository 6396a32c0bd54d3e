"""The utilities' biller without the network: how a holder's name is masked, and what the
simulator answers to each kind of test account (the same answer every time)."""

from __future__ import annotations

import pytest

from yagona.kernel.errors import YagonaError
from yagona.wallet import rules
from yagona.wallet.biller import InProcessBiller


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Aziza Karimova", "A***a K******a"),
        ("  Bobur   Rahimov ", "B***r R*****v"),
        ("Ali", "A*i"),
        ("Bo", "B*"),
        ("X", "X"),
        ("Анна Ли", "А**а Л*"),  # noqa: RUF001 - Cyrillic on purpose
        ("A***a K******a", "A***a K******a"),  # already masked: unchanged
    ],
)
def test_a_holders_name_keeps_each_words_ends(name: str, masked: str) -> None:
    assert rules.mask_holder(name) == masked


def test_the_simulator_knows_an_ordinary_account_the_same_every_time() -> None:
    biller = InProcessBiller()
    first = biller.check_account(provider="electricity", account="1234567890")
    assert first == biller.check_account(provider="electricity", account="1234567890")
    assert first.holder_masked == "B***r R*****v" and first.amount_due_tiyin == 12_090_000
    confirmation = biller.confirm_payment(provider="electricity", account="1234567890", amount=1, reference="op-1")
    assert confirmation == biller.confirm_payment(
        provider="electricity", account="1234567890", amount=1, reference="op-1"
    )
    assert confirmation != biller.confirm_payment(
        provider="electricity", account="1234567890", amount=1, reference="op-2"
    )


@pytest.mark.parametrize(
    ("account", "code"),
    [("1234560404", "not_found"), ("1234560408", "biller_unavailable"), ("1234560503", "biller_unavailable")],
)
def test_the_simulators_unknown_late_and_down_accounts(account: str, code: str) -> None:
    with pytest.raises(YagonaError) as refused:
        InProcessBiller().check_account(provider="gas", account=account)
    assert refused.value.code == code
