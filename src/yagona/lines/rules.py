"""Pure rating, pricing and lifecycle rules of the prepaid price list.

Plain values in, plain values out: no database, no clock, no framework. Money is
integer tiyin; data is metered in KB (1 MB = 1024 KB) so a session of 0.5 MB is exact.
The service looks things up (the plan, the classified number, whether a host is free or a
server is TAS-IX) and hands them in; what a use costs is decided here (`price`).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Literal, TypeVar

from yagona.catalog.schemas import Destination, Plan
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Rounding, round_tiyin
from yagona.lines.errors import InsufficientFundsError, InternationalBarredError, InvalidRequestError
from yagona.lines.schemas import UsageKind, UsageRecord

_T = TypeVar("_T")

KB_PER_MB = 1024
MAX_SESSION_MB = 1_048_576  # 1 TB in one session is not a phone's session

# Which bundles a use draws on, in order. The first month's extra is used before the
# plan's own bundle (scenario contract); bonus on-net minutes before the paid ones. The
# bonus programme's reward bundles (`bonus_minutes` to any Uzbek number, `bonus_mb`) come
# after the first month's extra and before the plan's own bundle (product.md §6).
VOICE_BUNDLES: Mapping[str, tuple[str, ...]] = {
    "onnet": ("welcome_minutes", "bonus_onnet_minutes", "bonus_minutes", "onnet_minutes", "minutes"),
    "offnet": ("welcome_minutes", "bonus_minutes", "offnet_minutes", "minutes"),
    "fixed": ("welcome_minutes", "bonus_minutes", "minutes"),
    "international": ("intl_minutes",),
    "satellite": (),
    "short": (),  # content and request services never use the bundle
    "csd": ("csd_minutes",),
}
SMS_BUNDLES: Mapping[str, tuple[str, ...]] = {"onnet": ("sms",), "offnet": ("sms",), "fixed": ("sms",)}
DATA_BUNDLES = ("welcome_mb", "bonus_mb", "mb")
TASIX_DATA_BUNDLES = ("tasix_mb", "welcome_mb", "bonus_mb", "mb")
KB_BUNDLES = frozenset({"welcome_mb", "mb", "tasix_mb", "bonus_mb"})


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
    """At renewal: enough → charge; not enough (zero included) → charge once into debt;
    negative → no fee, no bundles, block. Price list: "mablag' yetarli bo'lmasa … bir marta
    qarzga yechib olinadi …; balans salbiy bo'lsa, abonent to'lovi olinmaydi"."""
    if balance_tiyin >= fee_tiyin:
        return "renewal"
    if balance_tiyin >= 0:
        return "renewal_in_debt"
    return "blocked"


def leaves_debt_block(balance_tiyin: int) -> bool:
    """A line blocked for debt leaves the block once its balance is no longer negative."""
    return balance_tiyin >= 0


def days_left_in_month(day: date) -> tuple[int, int]:
    """(days left counting `day`, days in the month)."""
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return days_in_month - day.day + 1, days_in_month


def prorata(amount: int, day: date) -> int:
    """An M2M fee or bundle for the days left in the calendar month, rounded half up."""
    left, total = days_left_in_month(day)
    return round_tiyin(Fraction(amount * left, total), Rounding.HALF_UP)


def switch_fee(target: Plan, today: date) -> int:
    """What a switch charges at once: the new plan's fee (its period starts now), pro rata to
    the days left in the calendar month on a pro rata plan (M2M)."""
    return prorata(target.monthly_fee.tiyin, today) if target.prorata else target.monthly_fee.tiyin


def add_period(day: date, period: str) -> date:
    """One period later: `P1M` keeps the day of the month (clamped to its end), `P14D` adds days."""
    if period.startswith("P") and period.endswith("D"):
        return day + timedelta(days=int(period[1:-1]))
    if period == "P1M":
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
        return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    raise InvalidRequestError(f"unknown period {period!r}")


def next_due(anchor: date, after: date, period: str) -> date:
    """The first charge date after `after` of a cycle anchored on `anchor`: a monthly cycle keeps
    the anchor's day of the month (31 Jan → 28 Feb → 31 Mar), a cycle of days adds days."""
    if period != "P1M":
        return add_period(after, period)
    months = (after.year - anchor.year) * 12 + after.month - anchor.month
    while True:
        year, month = anchor.year + (anchor.month - 1 + months) // 12, (anchor.month - 1 + months) % 12 + 1
        due = date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))
        if due > after:
            return due
        months += 1


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


def in_night_window(now: datetime, start: time, end: time) -> bool:
    """Whether `now` (Tashkent time) falls in the night window [start, end)."""
    local = now.astimezone(TASHKENT).time()
    return start <= local < end if start <= end else (local >= start or local < end)


def topup_bonus(amount_tiyin: int, *, min_topup_tiyin: int, grant: int, cap: int, current: int) -> int:
    """Mening Davram: a single top-up of at least the threshold grants bonus minutes, never
    more than `cap` at once."""
    if amount_tiyin < min_topup_tiyin:
        return 0
    return max(0, min(grant, cap - current))


# --- pricing: what one use costs on a plan -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Looked:
    """What the service looked up for one record: its classified number (calls, SMS), whether a
    data session's host is a free state resource and whether its server is in TAS-IX."""

    destination: Destination | None = None
    free_host: bool = False
    tasix_server: bool = False


def price(
    record: UsageRecord,
    plan: Plan,
    looked: Looked,
    *,
    remaining: Mapping[str, int],
    available: int,
    unit_seconds: int,
    max_call_seconds: int,
) -> tuple[UsageKind, str, Rated]:
    """What one record costs on `plan`: the rules of the price list, applied."""
    if record.type == "data":
        kb = session_kb(Fraction(_required(record.mb, "mb")))
        if looked.free_host:
            return "data", "free", Rated(units=kb)
        tasix = not record.vpn and (record.tasix or looked.tasix_server)
        mb_price = plan.prices.mb.tiyin if plan.prices.mb is not None else None
        order = TASIX_DATA_BUNDLES if tasix else DATA_BUNDLES
        rated = rate_data(kb, order=order, remaining=remaining, mb_price_tiyin=mb_price, available_tiyin=available)
        return "data", "tasix" if tasix else "internet", rated
    destination = _required(looked.destination, "to")
    if record.type == "sms":
        rated = rate_units(
            1,
            order=SMS_BUNDLES.get(destination.kind, ()),
            remaining=remaining,
            unit_price_tiyin=sms_price(plan, destination),
            available_tiyin=available,
            what="this SMS",
        )
        return "sms", destination.price_class, rated
    minutes = billed_minutes(
        _required(record.seconds, "seconds"), unit_seconds=unit_seconds, max_call_seconds=max_call_seconds
    )
    if record.type == "incoming":
        return "incoming", destination.price_class, Rated(units=minutes)
    if not plan.international_calls and destination.kind in ("international", "satellite"):
        # M2M: "Tariflarda xalqaro qo'ng'iroqlar mavjud emas" — CSD calls abroad included.
        raise InternationalBarredError(f"{plan.name} has no international calls", plan=plan.id)
    kind: UsageKind = "voice" if plan.voice else "csd"
    price_class = "csd" if kind == "csd" else destination.kind
    rated = rate_units(
        minutes,
        order=voice_bundles(plan, destination, price_class),
        remaining=remaining,
        unit_price_tiyin=voice_price(plan, destination, kind),
        available_tiyin=available,
        what="this call",
    )
    return kind, destination.price_class, rated


def voice_bundles(plan: Plan, destination: Destination, price_class: str) -> tuple[str, ...]:
    """The bundles a call draws on. International minutes of the plan itself (Status
    Platinum+: "barcha xalqaro chiquvchi qo'ng'iroqlar uchun") serve every international
    call; a professional holiday's minutes only the holiday's countries."""
    if price_class == "international":
        if "intl_minutes" in plan.bundles:
            return VOICE_BUNDLES["international"]
        holiday = plan.holiday_bundle
        return VOICE_BUNDLES["international"] if holiday and destination.country in holiday.countries else ()
    return VOICE_BUNDLES.get(price_class, ())


def voice_price(plan: Plan, destination: Destination, kind: UsageKind) -> int | None:
    if kind == "csd":
        unit = plan.prices.csd_minute
    elif destination.kind == "short":
        unit = destination.price
    else:
        unit = getattr(plan.prices, destination.price_class, None)
    return unit.tiyin if unit is not None else None


def sms_price(plan: Plan, destination: Destination) -> int | None:
    if destination.kind == "short":
        unit = destination.price
    elif destination.kind in ("international", "satellite"):
        unit = plan.prices.sms_international
    else:
        unit = plan.prices.sms
    return unit.tiyin if unit is not None else None


def _required(value: _T | None, field: str) -> _T:
    if value is None:
        raise InvalidRequestError(f"{field} is required for this usage type", field=field)
    return value
