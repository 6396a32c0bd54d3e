"""Every billing rule of home internet, without a database."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from yagona.home import rules
from yagona.kernel.clock import TASHKENT

NIGHT = time(0, 0)


def tashkent(*parts: int) -> datetime:
    year, month, day, hour, minute = parts
    return datetime(year, month, day, hour, minute, tzinfo=TASHKENT)


@pytest.mark.parametrize(
    ("account", "contract"),
    [("10000001", "10000001"), (" 19999999 ", "19999999"), ("IP0000001", "10000001"), ("ip2345678", "12345678")],
)
def test_a_contract_or_an_iptv_number_names_the_account(account: str, contract: str) -> None:
    assert rules.contract_of(account) == contract


@pytest.mark.parametrize("account", ["1234567", "123456789", "20000000", "02345678", "IP123456", "IPX234567", ""])
def test_anything_else_is_no_contract(account: str) -> None:
    assert rules.contract_of(account) is None


def test_contract_numbers_follow_each_other_and_end() -> None:
    assert rules.contract_number(None) == "10000001"
    assert rules.contract_number("10000041") == "10000042"
    assert rules.iptv_number("10000042") == "IP0000042"
    with pytest.raises(ValueError, match="exhausted"):
        rules.contract_number("19999999")


@pytest.mark.parametrize(
    ("anchor", "after", "due"),
    [
        (date(2026, 3, 15), date(2026, 3, 15), date(2026, 4, 15)),
        (date(2026, 1, 31), date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)),
        (date(2026, 1, 31), date(2026, 3, 31), date(2026, 4, 30)),
        (date(2027, 12, 20), date(2027, 12, 20), date(2028, 1, 20)),
        (date(2027, 1, 29), date(2028, 1, 29), date(2028, 2, 29)),
    ],
)
def test_the_fee_falls_due_on_the_same_day_each_month(anchor: date, after: date, due: date) -> None:
    assert rules.next_due(anchor, after) == due


def test_the_fee_is_charged_at_the_start_of_the_night_window() -> None:
    assert rules.charge_at(date(2026, 4, 15), NIGHT) == tashkent(2026, 4, 15, 0, 0)


def test_a_period_costs_the_plan_the_equipment_and_the_packages() -> None:
    assert rules.period_fee(149_000_00, [10_000_00], [25_000_00, 30_000_00]) == 214_000_00
    assert rules.period_fee(99_000_00, [], []) == 99_000_00


@pytest.mark.parametrize(
    ("state", "balance", "decision"),
    [
        ("active", 159_000_00, "charge"),
        ("active", 159_000_01, "charge"),
        ("active", 158_999_99, "suspend"),
        ("active", 0, "suspend"),
        ("suspended", 1_000_000_00, "skip"),
        ("pending_identity", 1_000_000_00, "skip"),
        ("closed", 1_000_000_00, "skip"),
    ],
)
def test_renewal_charges_in_full_or_suspends_without_debt(state: str, balance: int, decision: str) -> None:
    assert rules.renewal(state, balance, 159_000_00) == decision


def test_only_a_top_up_that_covers_the_fee_resumes_a_suspended_account() -> None:
    assert rules.resumes("suspended", 159_000_00, 159_000_00)
    assert not rules.resumes("suspended", 158_999_99, 159_000_00)
    assert not rules.resumes("active", 1_000_000_00, 159_000_00)
    assert not rules.resumes("closed", 1_000_000_00, 159_000_00)


def test_a_plan_change_waits_for_the_next_period() -> None:
    assert rules.plan_for_period("uy-50", "uy-300") == "uy-300"
    assert rules.plan_for_period("uy-50", None) == "uy-50"


def test_an_add_on_pays_for_the_days_left_of_the_period() -> None:
    start, end = tashkent(2026, 4, 15, 0, 0), tashkent(2026, 5, 15, 0, 0)  # 30 days
    assert rules.prorata(30_000_00, now=start, period_start=start, period_end=end) == 30_000_00
    assert rules.prorata(30_000_00, now=tashkent(2026, 4, 30, 12, 0), period_start=start, period_end=end) == 15_000_00
    assert rules.prorata(30_000_00, now=tashkent(2026, 5, 14, 23, 0), period_start=start, period_end=end) == 1_000_00
    # half up to the tiyin: 7 of 30 days of 100 tiyin is 23.33 -> 23
    assert rules.prorata(100, now=tashkent(2026, 5, 8, 0, 0), period_start=start, period_end=end) == 23
