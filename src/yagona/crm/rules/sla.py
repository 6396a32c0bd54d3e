"""Pure SLA arithmetic of tickets: a business calendar's working hours and the due dates of a
ticket's first response and resolution.

A calendar is data: its time zone, its opening hours, its working weekdays, its days off
(public holidays and the days an operator closes) and its extra working days (a Saturday
worked in place of a bridged holiday). Targets are data too (`crm/data/tickets.yaml`):
working hours per category and priority, or calendar days (a written claim: 30; a privacy
request: 21). Nothing here reads a clock, a file or a database: the service hands every
fact in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

# The longest stretch `add_working_hours` walks (a year and a bit of days): a target no
# calendar reaches within it is a broken calendar (no working day at all), not a due date.
MAX_DAYS = 400
RISKS = ("ok", "at_risk", "breached")


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "Asia/Tashkent"
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()  # worked although a weekend day

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def day_seconds(self) -> int:
        return (datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)).seconds


def public_holidays(years: Iterable[int]) -> tuple[frozenset[date], frozenset[date]]:
    """Uzbekistan's public holidays of `years` (the `holidays` package: Navruz, Independence
    Day, the decreed bridge days, the estimated Eid days) and its weekend days worked instead."""
    return _public_holidays(tuple(sorted(set(years))))


@lru_cache(maxsize=32)
def _public_holidays(chosen: tuple[int, ...]) -> tuple[frozenset[date], frozenset[date]]:
    import holidays  # noqa: PLC0415 - loaded when a due date is reckoned, not on every start (`simulate`)

    found = holidays.country_holidays("UZ", years=chosen)
    off = frozenset(found.keys())
    worked: set[date] = set()
    for year in chosen:
        day = date(year, 1, 1)
        while day.year == year:
            if day.weekday() >= 5 and day not in off and found.is_working_day(day):
                worked.add(day)
            day += timedelta(days=1)
    return off, frozenset(worked)


def holiday_names(years: Iterable[int]) -> dict[date, str]:
    """What each public holiday of `years` is called (in English, as the package names it)."""
    import holidays  # noqa: PLC0415 - as above

    return {d: str(n) for d, n in holidays.country_holidays("UZ", years=sorted(set(years))).items()}


def calendar(
    *,
    years: Iterable[int],
    extra_days_off: Iterable[date] = (),
    settings: Mapping[str, Any] | None = None,
) -> BusinessCalendar:
    """The calendar of `settings` (the `calendar` part of the ticket data) over `years`, with
    the public holidays and the operator's extra days off."""
    settings = settings or {}
    off, worked = public_holidays(years)
    opens = time.fromisoformat(str(settings.get("opens", "09:00")))
    closes = time.fromisoformat(str(settings.get("closes", "18:00")))
    if closes <= opens:
        raise ValueError("a working day closes after it opens")
    return BusinessCalendar(
        timezone=str(settings.get("timezone", "Asia/Tashkent")),
        opens=opens,
        closes=closes,
        weekdays=frozenset(int(d) for d in settings.get("weekdays", (0, 1, 2, 3, 4))),
        days_off=off | frozenset(extra_days_off),
        working_days=worked - frozenset(extra_days_off),
    )


def is_working_day(cal: BusinessCalendar, day: date) -> bool:
    if day in cal.days_off:
        return False
    return day.weekday() in cal.weekdays or day in cal.working_days


def _window(cal: BusinessCalendar, day: date) -> tuple[datetime, datetime]:
    zone = cal.zone
    return datetime.combine(day, cal.opens, zone), datetime.combine(day, cal.closes, zone)


def add_working_hours(cal: BusinessCalendar, start: datetime, hours: float) -> datetime:
    """The moment `hours` working hours after `start` (aware), in UTC. A start outside working
    hours counts from the next opening; a target that ends exactly at closing time ends then."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    remaining = timedelta(hours=hours)
    local = start.astimezone(cal.zone)
    day = local.date()
    for _ in range(MAX_DAYS):
        if is_working_day(cal, day):
            opens, closes = _window(cal, day)
            begin = max(opens, local)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(ZoneInfo("UTC"))
                remaining -= available
        day += timedelta(days=1)
    raise ValueError(f"no {hours} working hours within {MAX_DAYS} days of {start.isoformat()}")


def working_seconds_between(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Working seconds from `start` to `end` (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    zone = cal.zone
    first, last = start.astimezone(zone), end.astimezone(zone)
    total = 0
    day = first.date()
    while day <= last.date():
        if is_working_day(cal, day):
            opens, closes = _window(cal, day)
            begin, finish = max(opens, first), min(closes, last)
            if finish > begin:
                total += int((finish - begin).total_seconds())
        day += timedelta(days=1)
    return total


# --- targets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A ticket's targets: working hours, or (a claim, a privacy request) calendar days."""

    first_response_hours: float
    resolution_hours: float | None = None
    resolution_days: int | None = None


@dataclass(frozen=True)
class Policy:
    """The SLA targets per category and priority (`tickets.yaml`), and when to warn."""

    first_response: Mapping[str, float]
    resolution: Mapping[str, float]
    category_days: Mapping[str, int] = field(default_factory=dict)
    overrides: Mapping[str, Mapping[str, Mapping[str, float]]] = field(default_factory=dict)
    warn_at_percent: int = 80

    def target(self, category: str, priority: str) -> Target:
        own = self.overrides.get(category, {})
        first = own.get("first_response_hours", self.first_response)[priority]
        days = self.category_days.get(category)
        if days is not None:
            return Target(first_response_hours=first, resolution_days=days)
        resolution = own.get("resolution_hours", self.resolution)[priority]
        return Target(first_response_hours=first, resolution_hours=resolution)


def policy(data: Mapping[str, Any]) -> Policy:
    """The `sla` part of the ticket data, checked: every priority has both targets."""
    sla = data["sla"]
    priorities = [str(p) for p in data["priorities"]]
    first = {str(k): float(v) for k, v in sla["first_response_hours"].items()}
    resolution = {str(k): float(v) for k, v in sla["resolution_hours"].items()}
    overrides: dict[str, dict[str, dict[str, float]]] = {}
    for category, own in (sla.get("overrides") or {}).items():
        overrides[str(category)] = {
            str(kind): {str(k): float(v) for k, v in hours.items()} for kind, hours in own.items()
        }
    for table in (first, resolution, *[t for o in overrides.values() for t in o.values()]):
        missing = [p for p in priorities if p not in table or table[p] <= 0]
        if missing:
            raise ValueError(f"SLA targets missing or not positive for {missing}")
    days = {str(k): int(v) for k, v in (sla.get("resolution_calendar_days") or {}).items()}
    return Policy(first, resolution, days, overrides, int(sla.get("warn_at_percent", 80)))


@dataclass(frozen=True)
class DueDates:
    first_response: datetime
    resolution: datetime


def due_dates(pol: Policy, cal: BusinessCalendar, *, category: str, priority: str, opened_at: datetime) -> DueDates:
    """When the first response and the resolution are due, for a ticket opened at `opened_at`.
    Calendar days (a claim) count from the moment it was opened, weekends and holidays too."""
    target = pol.target(category, priority)
    first = add_working_hours(cal, opened_at, target.first_response_hours)
    if target.resolution_days is not None:
        resolution = opened_at.astimezone(ZoneInfo("UTC")) + timedelta(days=target.resolution_days)
    else:
        assert target.resolution_hours is not None
        resolution = add_working_hours(cal, opened_at, target.resolution_hours)
    return DueDates(first_response=min(first, resolution), resolution=resolution)


def calendar_days_target(pol: Policy, category: str) -> bool:
    return category in pol.category_days


def warn_at(
    cal: BusinessCalendar, *, opened_at: datetime, due: datetime, percent: int, working_hours: bool = True
) -> datetime:
    """The moment `percent` % of the time to `due` has run: in working time, or (a target in
    calendar days) in plain time."""
    if not working_hours:
        return opened_at + (due - opened_at) * percent / 100
    seconds = working_seconds_between(cal, opened_at, due)
    return add_working_hours(cal, opened_at, seconds * percent / 100 / 3600)


def risk(now: datetime, *, warn: datetime, due: datetime, done_at: datetime | None = None) -> str:
    """`ok`, `at_risk` (past the warning) or `breached` (past due, or done late)."""
    moment = done_at or now
    if moment > due:
        return "breached"
    if done_at is None and now >= warn:
        return "at_risk"
    return "ok"
