"""Pure wallet rules: what a customer types, limits, commissions, dates, the card simulator."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import YagonaError
from yagona.wallet import rules
from yagona.wallet.schemas import BlockReason, CardOutcome, CommissionRow, CommissionTable, WalletStatus
from yagona.wallet.settings import WalletSettings

LIMIT = 5 * 245_000 * 100  # 5 BHM in tiyin (offer 4.5.1)


def _code(action: object) -> str:
    with pytest.raises(YagonaError) as caught:
        action()  # type: ignore[operator]
    return caught.value.code


def test_pins_are_digits_of_the_allowed_length() -> None:
    assert rules.check_pin_format("0427", length_min=4, length_max=6) == "0427"
    for bad in ("", "123", "1234567", "12a4", "\uff11\uff12\uff13\uff14"):  # full-width digits are not ASCII
        assert _code(lambda bad=bad: rules.check_pin_format(bad, length_min=4, length_max=6)) == "invalid_request"


def test_birth_dates_must_be_plausible_and_of_age() -> None:
    today = date(2026, 3, 15)
    assert rules.check_birth_date(date(2008, 3, 15), today=today, minimum_age_years=18) == date(2008, 3, 15)
    for bad in (None, date(2008, 3, 16), date(2027, 1, 1), date(1900, 1, 1)):
        assert (
            _code(lambda bad=bad: rules.check_birth_date(bad, today=today, minimum_age_years=18)) == "invalid_request"
        )


def test_the_offer_must_be_accepted_in_the_edition_in_force() -> None:
    assert _code(lambda: rules.check_offer_accepted(False, version="v2", current="v2")) == "offer_not_accepted"
    assert _code(lambda: rules.check_offer_accepted(True, version="v1", current="v2")) == "offer_version_mismatch"
    assert _code(lambda: rules.check_offer_accepted(True, version=None, current="v2")) == "offer_version_mismatch"
    assert rules.check_offer_accepted(True, version="v2", current="v2") == "v2"


def test_a_fiscal_mark_signs_what_the_receipt_says() -> None:
    at = datetime(2026, 3, 15, 14, 0, tzinfo=TASHKENT)
    mark = rules.fiscal_mark("key-12345", terminal="UZ0001", number="W0000000001", at=at, total=100)
    assert mark.startswith("UZ0001-") and len(mark) == len("UZ0001-") + 12
    assert mark == rules.fiscal_mark("key-12345", terminal="UZ0001", number="W0000000001", at=at, total=100)
    assert mark != rules.fiscal_mark("key-12345", terminal="UZ0001", number="W0000000001", at=at, total=101)


def test_a_pin_hash_is_a_peppered_hmac_and_verifies_only_the_pin() -> None:
    peppers = {"1": b"p" * 32, "2": b"q" * 32}
    hashed = rules.hash_pin("24680", pepper_id="2", pepper=peppers["2"])
    assert hashed.startswith("$hmac-sha256$2$") and "24680" not in hashed
    assert rules.check_pin(hashed, "24680", peppers=peppers, current="2") == rules.PinCheck(ok=True)
    assert not rules.check_pin(hashed, "24681", peppers=peppers, current="2").ok
    # an older pepper still verifies, and asks for a rehash; an unknown one never matches
    assert rules.check_pin(hashed, "24680", peppers=peppers, current="3") == rules.PinCheck(ok=True, stale=True)
    assert not rules.check_pin(hashed, "24680", peppers={"1": peppers["1"]}, current="1").ok
    for broken in ("not a hash", "$hmac-sha256$2$!!$??", hashed.replace("$2$", "$1$"), hashed + "$x"):
        assert not rules.check_pin(broken, "24680", peppers=peppers, current="2").ok


def test_an_argon2id_pin_of_before_verifies_and_asks_for_a_rehash() -> None:
    legacy = rules.pin_hasher(time_cost=1, memory_kib=8, parallelism=1).hash("24680")
    assert rules.check_pin(legacy, "24680", peppers={}, current="1") == rules.PinCheck(ok=True, stale=True)
    assert not rules.check_pin(legacy, "24681", peppers={}, current="1").ok


def test_a_weak_pin_pepper_is_refused() -> None:
    with pytest.raises(ValueError, match="weak"):
        WalletSettings(pin_pepper=SecretStr("short"))
    with pytest.raises(ValueError, match="current one and an old one"):
        WalletSettings(pin_old_peppers={"1": SecretStr("x" * 32)})


def test_the_30_day_window_is_30_tashkent_calendar_days() -> None:
    # 00:30 on 14 April in Tashkent is still 13 April in UTC: the window follows Tashkent dates.
    now = datetime(2026, 4, 14, 0, 30, tzinfo=TASHKENT)
    assert rules.topup_window_start(now, days=30) == datetime(2026, 3, 16, tzinfo=TASHKENT)


@given(already=st.integers(0, LIMIT), incoming=st.integers(1, LIMIT))
def test_light_top_ups_pass_exactly_up_to_5_bhm(already: int, incoming: int) -> None:
    if already + incoming <= LIMIT:
        rules.check_light_topups(already=already, incoming=incoming, limit=LIMIT)
    else:
        assert _code(lambda: rules.check_light_topups(already=already, incoming=incoming, limit=LIMIT)) == (
            "limit_exceeded"
        )


def test_commissions_round_half_up_within_floor_and_ceiling() -> None:
    row = CommissionRow(operation="x", percent=Decimal(1), minimum_som=Decimal(100), maximum_som=Decimal(10_000))
    assert rules.commission(5_000_000, row) == 50_000  # 1 % of 50 000 so'm = 500 so'm
    assert rules.commission(100, row) == 10_000  # the floor: 100 so'm
    assert rules.commission(10**11, row) == 1_000_000  # the ceiling: 10 000 so'm
    half = CommissionRow(operation="y", percent=Decimal("0.5"))
    assert rules.commission(101, half) == 1  # 0.505 tiyin → 1 (half up)
    assert rules.commission(99, half) == 0  # 0.495 tiyin → 0


def test_annex_one_fixes_top_up_and_transfer_at_zero() -> None:
    rows = [{"operation": "topup", "percent": 0}, {"operation": "transfer", "percent": 0}]
    CommissionTable.model_validate({"version": "1", "rows": rows})
    with pytest.raises(ValueError, match="annex 1"):
        CommissionTable.model_validate({"version": "1", "rows": [rows[0], {"operation": "transfer", "percent": 1}]})
    with pytest.raises(ValueError, match="twice"):
        CommissionTable.model_validate({"version": "1", "rows": [*rows, rows[0]]})


def test_dormancy_is_due_the_second_after_three_years() -> None:
    last = datetime(2026, 3, 15, 14, 0, tzinfo=TASHKENT)
    assert rules.dormancy_due(last, years=3) == datetime(2029, 3, 15, 14, 0, 1, tzinfo=TASHKENT)
    leap = datetime(2028, 2, 29, 9, 0, tzinfo=TASHKENT)
    assert rules.dormancy_due(leap, years=3) == datetime(2031, 2, 28, 9, 0, 1, tzinfo=TASHKENT)


def test_only_an_active_wallet_is_usable() -> None:
    rules.check_usable(WalletStatus.ACTIVE, None, phone="p")
    assert _code(lambda: rules.check_usable(WalletStatus.BLOCKED, BlockReason.LOST, phone="p")) == "wallet_blocked"
    assert _code(lambda: rules.check_usable(WalletStatus.CLOSED, None, phone="p")) == "wallet_closed"


def test_the_card_simulator_answers_by_the_cards_last_digits() -> None:
    def outcome(card: str) -> CardOutcome:
        return rules.simulated_card_outcome(card, default="approve", decline_suffix="0002", hold_suffix="0003")

    assert outcome("8600000000000001") == CardOutcome.APPROVE
    assert outcome("8600000000000002") == CardOutcome.DECLINE
    assert outcome("8600000000000003") == CardOutcome.HOLD
    assert rules.mask_card("8600123412345678") == "card 8600 **** **** 5678"
    assert _code(lambda: rules.check_card_number("8600")) == "invalid_request"


def test_receipt_numbers_round_trip() -> None:
    assert rules.receipt_number(42) == "W0000000042"
    assert rules.receipt_seq("w0000000042") == 42
    assert rules.receipt_seq("42") is None and rules.receipt_seq("Wabc") is None
