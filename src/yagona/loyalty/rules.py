"""Pure rules of the bonus programme (product.md §6): accrual with its carry and the tier's
multiplier, the tier from the 90-day spend, lot expiry, oldest-first burning, take-backs
into a debt that later accruals repay first. Plain values in, plain values out."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from math import floor

from yagona.kernel.clock import TASHKENT
from yagona.loyalty.schemas import Tier

TIYIN_PER_SOM = 100


@dataclass(frozen=True, slots=True)
class Accrual:
    points: int  # after the multiplier, rounded down
    carry_tiyin: int  # under one point's worth, kept for the next spend


def accrue(*, carry_tiyin: int, spend_tiyin: int, som_per_point: int, multiplier: Fraction) -> Accrual:
    """points = ⌊⌊(carry + spend) / 1 000 so'm⌋ * multiplier⌋; the remainder is the new carry."""
    if spend_tiyin < 0 or carry_tiyin < 0:
        raise ValueError("spend and carry are not negative")
    whole, carry = divmod(carry_tiyin + spend_tiyin, som_per_point * TIYIN_PER_SOM)
    return Accrual(points=floor(whole * multiplier), carry_tiyin=carry)


def tier_for(spend_tiyin: int, tiers: Sequence[Tier]) -> Tier:
    """The highest tier whose threshold the spend reaches (exactly the threshold counts). A
    take-back whose charge has left the window can leave the spend below zero: the lowest."""
    reached = [tier for tier in tiers if spend_tiyin >= tier.from_tiyin]
    return reached[-1] if reached else tiers[0]


def next_tier(spend_tiyin: int, tiers: Sequence[Tier]) -> tuple[Tier, int] | None:
    """The next tier up and the spend still needed for it; None at the top."""
    above = [tier for tier in tiers if tier.from_tiyin > spend_tiyin]
    return (above[0], above[0].from_tiyin - spend_tiyin) if above else None


def window_start(at: datetime, days: int) -> datetime:
    """Spend counts toward the tier when it was earned strictly after this instant."""
    return at - timedelta(days=days)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (29 Feb → 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expires_at(earned_at: datetime, months: int) -> datetime:
    """00:00 Tashkent on the day `months` after the (Tashkent) day the lot was earned."""
    earned_day = earned_at.astimezone(TASHKENT).date()
    return datetime.combine(add_months(earned_day, months), time(0), tzinfo=TASHKENT)


def burn(lots: Sequence[tuple[int, int]], points: int) -> tuple[dict[int, int], int]:
    """Take `points` from (lot id, remaining) pairs in the order given (oldest first).

    Returns what each lot gives and what the lots could not cover."""
    if points < 0:
        raise ValueError("points to burn are not negative")
    taken: dict[int, int] = {}
    left = points
    for lot_id, remaining in lots:
        if left == 0:
            break
        used = min(remaining, left)
        if used > 0:
            taken[lot_id] = used
            left -= used
    return taken, left


@dataclass(frozen=True, slots=True)
class Repayment:
    lot_points: int  # what becomes a new lot
    debt: int  # what is still owed after


def repay(*, debt: int, points: int) -> Repayment:
    """New points repay a take-back's debt first; the rest is a lot."""
    paid = min(debt, points)
    return Repayment(lot_points=points - paid, debt=debt - paid)


def available(lots_remaining: int, debt: int) -> int:
    """The balance a customer sees: open lots less any debt (one of them is zero)."""
    return lots_remaining - debt


def line_charge_earns(reason: str, excluded: Sequence[str]) -> bool:
    """Every fee and charge from a line's balance earns, except the penalties listed."""
    return reason not in excluded


def wallet_payment_earns(provider: str, excluded: Sequence[str]) -> bool:
    """A wallet payment earns unless it tops up a balance of the operator's own (that balance
    earns when charged, not twice)."""
    return provider not in excluded


def tier_drop_at(spends: Sequence[tuple[datetime, int]], *, threshold_tiyin: int, window_days: int) -> datetime | None:
    """When the spend in the window falls below `threshold_tiyin` if nothing more is spent:
    spends leave the window `window_days` after they were counted, oldest first. None when
    it is below already or never falls (no threshold)."""
    total = sum(amount for _, amount in spends)
    if threshold_tiyin <= 0 or total < threshold_tiyin:
        return None
    for at, amount in sorted(spends):
        total -= amount
        if total < threshold_tiyin:
            return at + timedelta(days=window_days)
    return None
