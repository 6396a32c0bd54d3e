from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yagona.kernel.errors import InvalidRequestError
from yagona.kernel.money import MAX_TIYIN, Money, Rounding, round_tiyin


@pytest.mark.parametrize(
    ("text", "tiyin"),
    [
        ("137 035.5", 13_703_550),
        ("137035.50", 13_703_550),
        ("35 000", 3_500_000),
        ("421", 42_100),
        ("1,4", 140),
        ("0.01", 1),
        ("1\u00a0225\u00a0000", 122_500_000),
        ("599", 59_900),
        ("-1 000,5", -100_050),
    ],
)
def test_parses_som_as_written_in_the_price_list(text: str, tiyin: int) -> None:
    assert Money.parse(text, allow_negative=True).tiyin == tiyin


def test_parses_numbers_from_yaml_and_json() -> None:
    assert Money.parse(50000).tiyin == 5_000_000
    assert Money.parse(137035.5).tiyin == 13_703_550
    assert Money.parse(Decimal("0.5")).tiyin == 50


@pytest.mark.parametrize(
    "bad",
    [
        "12.345", "abc", "", "1 23", "--5", "1e5", "12.", "NaN", "1_000",
        # only ASCII digits, spaces only between groups of three, one decimal separator
        "\u0661\u0662\u0663", "\u0665", "\uff15", " 5 ", "5 ", "\t5", "5\n", "1000 000", "1 0000", "1.000.5", "1,000.5",
        "+-5", "5-", ".5", "1 000 ",
    ],
)  # fmt: skip
def test_refuses_what_is_not_an_amount(bad: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        Money.parse(bad)
    assert caught.value.code == "invalid_request"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e20, 0.001, True])
def test_refuses_floats_that_cannot_be_money(bad: float) -> None:
    with pytest.raises(InvalidRequestError):
        Money.parse(bad)


def test_refuses_a_negative_amount_unless_allowed() -> None:
    with pytest.raises(InvalidRequestError, match="negative"):
        Money.parse("-5")
    assert Money.parse("-5", allow_negative=True).tiyin == -500


def test_refuses_overflow() -> None:
    with pytest.raises(InvalidRequestError, match="too large"):
        Money.parse("99999999999999999")
    with pytest.raises(InvalidRequestError, match="too large"):
        Money(MAX_TIYIN + 1)
    with pytest.raises(InvalidRequestError):
        Money(MAX_TIYIN) + Money(1)


def test_formats_som_with_spaces_and_tiyin() -> None:
    assert Money(13_703_550).format() == "137 035.50 so'm"
    assert Money(-42_100).format(currency=False) == "-421.00"
    assert str(Money.of_som(40_000)) == "40 000.00 so'm"


def test_json_is_a_whole_number_when_it_can_be() -> None:
    assert Money(3_500_000).to_json() == 35_000
    assert Money(13_703_550).to_json() == 137035.5


def test_arithmetic_stays_in_tiyin() -> None:
    assert Money(100) + Money(50) - Money(30) == Money(120)
    assert Money(599) * 3 == 3 * Money(599) == Money(1_797)
    assert -Money(5) == Money(-5)
    with pytest.raises(TypeError):
        Money(100) * 1.5  # type: ignore[operator]


def test_money_is_not_a_float() -> None:
    with pytest.raises(InvalidRequestError):
        Money(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "rule", "expected"),
    [
        (Fraction(5, 2), Rounding.HALF_UP, 3),
        (Fraction(5, 2), Rounding.HALF_EVEN, 2),
        (Fraction(21, 10), Rounding.UP, 3),
        (Fraction(29, 10), Rounding.DOWN, 2),
        (Fraction(-29, 10), Rounding.TRUNCATE, -2),
        (Decimal("7.5"), Rounding.HALF_UP, 8),
        (7, Rounding.UP, 7),
    ],
)
def test_named_rounding_rules(value: Fraction | Decimal | int, rule: Rounding, expected: int) -> None:
    assert round_tiyin(value, rule) == expected


@given(st.integers(min_value=-MAX_TIYIN, max_value=MAX_TIYIN))
def test_format_and_parse_round_trip(tiyin: int) -> None:
    assert Money.parse(Money(tiyin).format(currency=False), allow_negative=True) == Money(tiyin)
