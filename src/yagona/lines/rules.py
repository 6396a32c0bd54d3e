"""Pure rating and lifecycle rules of the prepaid price list.

Plain values in, plain values out: no database, no clock, no framework. Money is
integer tiyin; data is metered in KB (1 MB = 1024 KB) so a session of 0.5 MB is exact.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Literal

from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Rounding, round_tiyin
from yagona.lines.errors import InsufficientFundsError, InvalidRequestError

KB_PER_MB = 1024
MAX_SESSION_MB = 1_048_576  # 1 TB in one session is not a phone's session

# Which bundles a use draws on, in order. The first month's extra is used before the
# plan's own bundle (scenario contract); bonus on-net minutes before the paid ones.
VOICE_BUNDLES: Mapping[str, tuple[str, ...]] = {
    "onnet": ("welcome_minutes", "bonus_onnet_minutes", "onnet_minutes", "minutes"),
    "offnet": ("welcome_minutes", "offnet_minutes", "minutes"),
    "fixed": ("welcome_minutes", "minutes"),
    "international": ("intl_minutes",),
    "satellite": (),
    "short": (),  # content and request services never use the bundle
    "csd": ("csd_minutes",),
}
SMS_BUNDLES: Mapping[str, tuple[str, ...]] = {"onnet": ("sms",), "offnet": ("sms",), "fixed": ("sms",)}
DATA_BUNDLES = ("welcome_mb", "mb")
TASIX_DATA_BUNDLES = ("tasix_mb", "welcome_mb", "mb")
KB_BUNDLES = frozenset({"welcome_mb", "mb", "tasix_mb"})


@dataclass(frozen=True, slots=True)
class Rated:
    """What one use costs: billed units, what came from which bundle, what the balance pays."""

    units: int  # minutes, SMS, or KB for data
    from_bundle: dict[str, int] = field(default_factory=dict)
    charge_tiyin: int = 0
    cut: bool = False  # the balance ran out: the network ended the session early

    @property
    def bundle_units(self) -> int:
        return sum(self.from_bundle.values())


def billed_minutes(seconds: int, *, unit_seconds: int, max_call_seconds: int) -> int:
    """Every started minute is billed; a call is cut at the maximum length (60 minutes)."""
    if seconds < 1:
        raise InvalidRequestError("a call lasts at least one second", field="seconds")
    if seconds > 86_400:
        raise InvalidRequestError("a call of more than a day is not a call", field="seconds")
    return -(-min(seconds, max_call_seconds) // unit_seconds)


def session_kb(mb: Fraction) -> int:
    """A data session's size in KB, rounded up to the next started KB."""
    if mb <= 0 or mb > MAX_SESSION_MB:
        raise InvalidRequestError(f"a data session is between 1 KB and {MAX_SESSION_MB} MB", field="mb")
    return -(-(mb * KB_PER_MB).numerator // (mb * KB_PER_MB).denominator)


def take_from_bundles(units: int, order: Sequence[str], remaining: Mapping[str, int]) -> dict[str, int]:
    """Take `units` from the bundles in `order`, as far as they last."""
    taken: dict[str, int] = {}
    left = units
    for key in order:
        if left == 0:
            break
        have = remaining.get(key, 0)
        if have > 0:
            used = min(have, left)
            taken[key] = used
            left -= used
    return taken


def rate_units(
    units: int,
    *,
    order: Sequence[str],
    remaining: Mapping[str, int],
    unit_price_tiyin: int | None,
    available_tiyin: int,
    what: str,
) -> Rated:
    """Rate a countable use (minutes, SMS): bundles first, then the balance per unit.

    When the balance cannot pay every unit, the network ends the use at the last unit
    it can pay for; with none paid and none from a bundle, the use is refused.
    """
    taken = take_from_bundles(units, order, remaining)
    paid_units = units - sum(taken.values())
    if paid_units == 0:
        return Rated(units=units, from_bundle=taken)
    if unit_price_tiyin is None:
        raise InvalidRequestError(f"this plan offers no {what} beyond its bundle", field="to")
    if unit_price_tiyin == 0:
        return Rated(units=units, from_bundle=taken)
    affordable = max(0, available_tiyin) // unit_price_tiyin
    if affordable == 0 and not taken:
        raise InsufficientFundsError(f"the balance does not cover {what}", short_by=unit_price_tiyin - available_tiyin)
    billed = min(paid_units, affordable)
    return Rated(
        units=sum(taken.values()) + billed,
        from_bundle=taken,
        charge_tiyin=billed * unit_price_tiyin,
        cut=billed < paid_units,
    )


def rate_data(
    kb: int, *, order: Sequence[str], remaining: Mapping[str, int], mb_price_tiyin: int | None, available_tiyin: int
) -> Rated:
    """Data: bundles first (in KB), the rest per MB pro rata, rounded up to the tiyin."""
    taken = take_from_bundles(kb, order, remaining)
    paid_kb = kb - sum(taken.values())
    if paid_kb == 0 or mb_price_tiyin == 0:
        return Rated(units=kb, from_bundle=taken)
    if mb_price_tiyin is None:
        raise InvalidRequestError("this plan offers no data beyond its bundle", field="mb")
    charge = round_tiyin(Fraction(paid_kb * mb_price_tiyin, KB_PER_MB), Rounding.UP)
    if charge <= available_tiyin:
        return Rated(units=kb, from_bundle=taken, charge_tiyin=charge)
    affordable_kb = max(0, available_tiyin) * KB_PER_MB // mb_price_tiyin
    if affordable_kb == 0 and not taken:
        raise InsufficientFundsError("the balance does not cover this data", short_by=charge - available_tiyin)
    return Rated(
        units=sum(taken.values()) + affordable_kb,
        from_bundle=taken,
        charge_tiyin=round_tiyin(Fraction(affordable_kb * mb_price_tiyin, KB_PER_MB), Rounding.UP),
        cut=True,
    )


# --- fees and periods ------------------------------------------------------------------------

RenewalOutcome = Literal["renewal", "renewal_in_debt", "blocked"]


def renewal_outcome(balance_tiyin: int, fee_tiyin: int) -> RenewalOutcome:
    """At renewal: enough → charge; positive but short → charge into debt; else block."""
    if balance_tiyin >= fee_tiyin:
        return "renewal"
    if balance_tiyin > 0:
        return "renewal_in_debt"
    return "blocked"


def days_left_in_month(day: date) -> tuple[int, int]:
    """(days left counting `day`, days in the month)."""
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return days_in_month - day.day + 1, days_in_month


def prorata(amount: int, day: date) -> int:
    """An M2M fee or bundle for the days left in the calendar month, rounded half up."""
    left, total = days_left_in_month(day)
    return round_tiyin(Fraction(amount * left, total), Rounding.HALF_UP)


def add_period(day: date, period: str) -> date:
    """One period later: `P1M` keeps the day of the month (clamped to its end), `P14D` adds days."""
    if period.startswith("P") and period.endswith("D"):
        return day + timedelta(days=int(period[1:-1]))
    if period == "P1M":
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
        return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    raise InvalidRequestError(f"unknown period {period!r}")


def first_of_next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def night_window_start(day: date, start: time) -> datetime:
    """The instant the night window opens on `day`, Tashkent time."""
    return datetime.combine(day, start, tzinfo=TASHKENT)


def next_night_window(now: datetime, start: time) -> datetime:
    """The next opening of the night window strictly after `now`."""
    local_now = now.astimezone(TASHKENT)
    candidate = night_window_start(local_now.date(), start)
    return candidate if candidate > local_now else night_window_start(local_now.date() + timedelta(days=1), start)


def topup_bonus(amount_tiyin: int, *, min_topup_tiyin: int, grant: int, cap: int, current: int) -> int:
    """Mening Davram: a single top-up of at least the threshold grants bonus minutes, never
    more than `cap` at once."""
    if amount_tiyin < min_topup_tiyin:
        return 0
    return max(0, min(grant, cap - current))
