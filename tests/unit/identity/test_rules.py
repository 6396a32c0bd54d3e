"""Pure rules of identity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yagona.identity import rules


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("998901234567", "998901234567"),
        ("+998 90 123-45-67", "998901234567"),
        ("(998) 90 1234567", "998901234567"),
        ("99890123456", None),
        ("9989012345678", None),
        ("797901234567", None),
        ("99890123456a", None),
        ("", None),
        ("9" * 40, None),
    ],
)
def test_phone_numbers_are_uzbek_msisdns_read_by_the_kernel(raw: str, expected: str | None) -> None:
    from yagona.identity.errors import InvalidPhoneError
    from yagona.identity.service import phone_or_refuse

    if expected is None:
        with pytest.raises(InvalidPhoneError):
            phone_or_refuse(raw)
    else:
        assert phone_or_refuse(raw) == expected


def test_every_customer_scope_is_described_in_three_languages() -> None:
    assert set(rules.SCOPE_DESCRIPTIONS) == set(rules.SCOPES)
    for scope in ("mobile", "mobile:manage", "wallet", "wallet:pay"):
        texts = rules.SCOPE_DESCRIPTIONS[scope]
        assert set(texts) == {"uz", "ru", "en"} and all(texts.values())
        assert rules.scope_description(scope, "ru") == texts["ru"]


@given(st.integers(min_value=6, max_value=10))
def test_codes_have_the_digits_asked_for(digits: int) -> None:
    code = rules.new_otp(digits)
    assert len(code) == digits and code.isdigit()


def test_codes_shorter_than_six_digits_are_refused() -> None:
    with pytest.raises(AssertionError):
        rules.new_otp(4)


def test_the_limit_th_attempt_is_allowed_the_next_is_not() -> None:
    assert not rules.over_limit(5, 5)
    assert rules.over_limit(6, 5)


def test_windows_expire() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert not rules.window_expired(start, start + timedelta(minutes=14), timedelta(minutes=15))
    assert rules.window_expired(start, start + timedelta(minutes=15), timedelta(minutes=15))


def test_weak_passwords_are_explained() -> None:
    assert rules.password_problems("Tog'-Chimyon-2026", min_length=8, phone="998901234567") == []
    assert "at least 8 characters" in rules.password_problems("abc", min_length=8, phone=None)
    assert "must not contain the phone number" in rules.password_problems(
        "x901234567y", min_length=8, phone="998901234567"
    )
    assert "too few different characters" in rules.password_problems("aaaaaaaaaa", min_length=8, phone=None)


def test_only_allowed_scopes_are_granted() -> None:
    assert rules.granted_scopes(["openid", "phone", "admin"], rules.SCOPES) == ["openid", "phone"]


def test_totp_steps_are_thirty_seconds() -> None:
    assert rules.totp_step(59.9) == 1
    assert rules.totp_step(60) == 2
