"""The account keys of the payment systems (product.md §10): what names a line, a wallet, a
home account."""

from __future__ import annotations

import pytest

from yagona.payments import rules


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        ({"phone": "998901234567"}, ("line", "998901234567")),
        ({"wallet": 998901234567}, ("wallet", "998901234567")),
        ({"home": "10000001"}, ("home", "10000001")),
        ({"home": 10000001}, ("home", "10000001")),
        ({"home": " 10000001 "}, ("home", "10000001")),
        ({"home": "IP0000001"}, None),
        ({"home": ""}, None),
        ({"home": True}, None),
        ({"home": "1" * 17}, None),
        ({"home": "10000001", "phone": "998901234567"}, None),
        ({"house": "10000001"}, None),
    ],
)
def test_payme_account(account: object, expected: tuple[str, str] | None) -> None:
    assert rules.payme_account(account) == expected


@pytest.mark.parametrize(
    ("merchant_trans_id", "expected"),
    [
        ("998901234567", ("line", "998901234567")),
        ("W998901234567", ("wallet", "998901234567")),
        ("H10000001", ("home", "10000001")),
        ("h10000001", ("home", "10000001")),
        ("H", None),
        ("HIP0000001", None),
        ("10000001", None),
    ],
)
def test_click_account_and_back(merchant_trans_id: str, expected: tuple[str, str] | None) -> None:
    assert rules.click_account(merchant_trans_id) == expected
    if expected is not None and not merchant_trans_id[0].islower():  # the portal writes them upper-case
        assert rules.click_merchant_trans_id(*expected) == merchant_trans_id


def test_an_account_error_names_its_field() -> None:
    assert rules.payme_account_field({"home": "x"}) == "home"
    assert rules.payme_account_field({"other": "x"}) == "phone"
