"""The bonus programme's pure rules, with numbers worked by hand (product.md §6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

import pytest

from yagona.kernel.clock import TASHKENT
from yagona.loyalty import rules
from yagona.loyalty.service import editions

TIERS = editions()[-1].tiers
BRONZE, SILVER, GOLD = Fraction(1), Fraction(5, 4), Fraction(3, 2)


def som(amount: float) -> int:
    return round(amount * 100)


@pytest.mark.parametrize(
    ("carry", "spend", "multiplier", "points", "left"),
    [
        (0, 999.99, BRONZE, 0, 999.99),  # under one point: all carried
        (0, 1_000, BRONZE, 1, 0),
        (999.99, 0.01, BRONZE, 1, 0),  # the carry completes a point
        (500.50, 35_000, BRONZE, 35, 500.50),  # 35 500.50 → 35, 500.50 carried
        (0, 10_000, SILVER, 12, 0),  # ⌊10 * 1.25⌋ = ⌊12.5⌋ = 12
        (0, 3_000, SILVER, 3, 0),  # ⌊3.75⌋ = 3
        (0, 1_000, GOLD, 1, 0),  # ⌊1.5⌋ = 1
        (0, 290_000, SILVER, 362, 0),  # ⌊362.5⌋ = 362
        (
            700,
            1_500,
            GOLD,
            3,
            200,
        ),  # ⌊2 200 / 1 000⌋ = 2 → ⌊3⌋ = 3; 200 carried (the multiplier is on points, not carry)
    ],
)
def test_an_accrual_rounds_down_twice_and_carries_the_rest(
    carry: float, spend: float, multiplier: Fraction, points: int, left: float
) -> None:
    accrual = rules.accrue(carry_tiyin=som(carry), spend_tiyin=som(spend), som_per_point=1000, multiplier=multiplier)
    assert (accrual.points, accrual.carry_tiyin) == (points, som(left))


@pytest.mark.parametrize(
    ("spend", "tier"),
    [
        (0, "bronze"),
        (149_999.99, "bronze"),
        (150_000, "silver"),  # exactly the threshold counts
        (449_999.99, "silver"),
        (450_000, "gold"),
        (2_000_000, "gold"),
    ],
)
def test_the_tier_from_the_spend_reaches_its_threshold_exactly(spend: float, tier: str) -> None:
    assert rules.tier_for(som(spend), TIERS).id == tier


def test_a_spend_below_zero_is_the_lowest_tier() -> None:
    # A take-back counted in the window after the charge it takes back has left it.
    assert rules.tier_for(-som(5_000), TIERS).id == "bronze"


def test_the_next_tier_says_what_it_still_needs() -> None:
    up = rules.next_tier(som(100_000), TIERS)
    assert up is not None and (up[0].id, up[1]) == ("silver", som(50_000))
    up = rules.next_tier(som(150_000), TIERS)
    assert up is not None and (up[0].id, up[1]) == ("gold", som(300_000))
    assert rules.next_tier(som(450_000), TIERS) is None


@pytest.mark.parametrize(
    ("earned", "expires"),
    [
        ("2026-03-15T14:00:00+05:00", "2027-03-15T00:00:00+05:00"),
        ("2026-03-15T00:00:00+05:00", "2027-03-15T00:00:00+05:00"),  # earned at midnight: the same day
        ("2026-03-15T23:59:59+05:00", "2027-03-15T00:00:00+05:00"),
        ("2026-03-15T19:30:00+00:00", "2027-03-16T00:00:00+05:00"),  # 00:30 on the 16th in Tashkent
        ("2028-02-29T10:00:00+05:00", "2029-02-28T00:00:00+05:00"),  # no 29 February next year
    ],
)
def test_a_lot_expires_at_midnight_tashkent_twelve_months_on(earned: str, expires: str) -> None:
    assert rules.expires_at(datetime.fromisoformat(earned), 12) == datetime.fromisoformat(expires)
    assert rules.expires_at(datetime.fromisoformat(earned), 12).tzinfo is TASHKENT


def test_burning_takes_the_oldest_lot_first() -> None:
    # Lots 40, 100, 2 (oldest first); 60 points: all of the first, 20 of the second.
    assert rules.burn([(1, 40), (2, 100), (3, 2)], 60) == ({1: 40, 2: 20}, 0)
    assert rules.burn([(1, 40), (2, 100), (3, 2)], 142) == ({1: 40, 2: 100, 3: 2}, 0)
    assert rules.burn([(1, 0), (2, 5)], 3) == ({2: 3}, 0)  # an empty lot gives nothing


def test_a_take_back_beyond_the_lots_leaves_a_debt_that_later_points_repay_first() -> None:
    taken, short = rules.burn([(1, 30)], 50)  # 50 taken back, 30 held
    assert (taken, short) == ({1: 30}, 20)
    assert rules.available(0, 20) == -20  # the balance shows -20
    first = rules.repay(debt=20, points=12)  # 12 earned: all repay
    assert (first.lot_points, first.debt) == (0, 8)
    second = rules.repay(debt=8, points=35)  # 35 earned: 8 repay, 27 make a lot
    assert (second.lot_points, second.debt) == (27, 0)


def test_what_earns() -> None:
    excluded_charges, excluded_providers = ("block_fee",), ("mobile", "home-internet", "iptv")
    assert rules.line_charge_earns("renewal", excluded_charges)
    assert rules.line_charge_earns("unblock_fee", excluded_charges)
    assert not rules.line_charge_earns("block_fee", excluded_charges)
    assert rules.wallet_payment_earns("electricity", excluded_providers)
    assert not rules.wallet_payment_earns("mobile", excluded_providers)
    assert not rules.wallet_payment_earns("iptv", excluded_providers)


def test_the_tier_drops_when_enough_spend_has_left_the_window() -> None:
    t0 = datetime(2026, 3, 15, 14, tzinfo=TASHKENT)
    spends = [(t0, som(150_000)), (t0 + timedelta(days=1), som(10_000)), (t0 + timedelta(days=2), som(290_000))]
    # Gold at 450 000: the first 150 000 leaving drops it, 90 days after it was counted.
    assert rules.tier_drop_at(spends, threshold_tiyin=som(450_000), window_days=90) == t0 + timedelta(days=90)
    # Silver at 150 000: 150 000 and 10 000 leave (290 000 still ≥ 150 000), then the 290 000.
    assert rules.tier_drop_at(spends, threshold_tiyin=som(150_000), window_days=90) == t0 + timedelta(days=92)
    assert rules.tier_drop_at(spends, threshold_tiyin=0, window_days=90) is None  # bronze never drops
    assert rules.tier_drop_at(spends[:1], threshold_tiyin=som(450_000), window_days=90) is None  # below already


def test_negative_spend_is_refused() -> None:
    with pytest.raises(ValueError, match="not negative"):
        rules.accrue(carry_tiyin=0, spend_tiyin=-1, som_per_point=1000, multiplier=BRONZE)
    with pytest.raises(ValueError, match="not negative"):
        rules.burn([(1, 5)], -1)
