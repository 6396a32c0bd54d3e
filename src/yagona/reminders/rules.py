"""PURE limits of the reminder engine: quiet hours, the daily cap, no repeat within a rule's
period, marketing only with opt-in, the customer's opt-out, the channel. No I/O: the service
reads the counts and times and asks here what to do."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from yagona.kernel.clock import TASHKENT

QUIET_FROM = time(22, 0)  # Tashkent: nothing is sent from 22:00…
QUIET_UNTIL = time(8, 0)  # …until 08:00; a reminder due then waits (a due job), it is not dropped
DAILY_CAP = 3  # reminders a customer gets in one Tashkent calendar day
Kind = Literal["service", "marketing"]
Skip = Literal["opted_out", "no_consent", "repeat", "daily_cap", "no_channel"]


@dataclass(frozen=True, slots=True)
class Send:
    channel: str


@dataclass(frozen=True, slots=True)
class Hold:
    until: datetime


@dataclass(frozen=True, slots=True)
class Drop:
    reason: Skip


Decision = Send | Hold | Drop


def quiet(at: datetime) -> bool:
    """22:00 ≤ local time, or local time < 08:00 (Tashkent)."""
    local = at.astimezone(TASHKENT).timetz().replace(tzinfo=None)
    return local >= QUIET_FROM or local < QUIET_UNTIL


def after_quiet_hours(at: datetime) -> datetime:
    """`at` itself outside quiet hours; else the 08:00 that ends them (the same or next day)."""
    if not quiet(at):
        return at
    local = at.astimezone(TASHKENT)
    day = local.date() if local.timetz().replace(tzinfo=None) < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=TASHKENT)


def day_of(at: datetime) -> tuple[datetime, datetime]:
    """The Tashkent calendar day holding `at`, as [start, end)."""
    start = datetime.combine(at.astimezone(TASHKENT).date(), time(0, 0), tzinfo=TASHKENT)
    return start, start + timedelta(days=1)


def repeated(last_sent_at: datetime | None, *, now: datetime, period: timedelta) -> bool:
    """The same reminder for the same subject went out less than `period` ago."""
    return last_sent_at is not None and now - last_sent_at < period


def channel(preferred: Sequence[str], offered: Sequence[str], sendable: Collection[str]) -> str | None:
    """The first channel of the customer's order that the rule offers and that can be sent
    today; then the rule's own order; None when none can be sent."""
    for name in [*preferred, *offered]:
        if name in offered and name in sendable:
            return name
    return None


def decide(
    *,
    now: datetime,
    kind: Kind,
    required: bool,
    opted_out: bool,
    marketing_opt_in: bool,
    last_sent_at: datetime | None,
    period: timedelta,
    sent_today: int,
    channel_name: str | None,
) -> Decision:
    """What to do with a reminder that is due now, in this order: the customer's choices
    (opt-out unless legally required; marketing only with opt-in), no repeat within the
    period, quiet hours (wait for 08:00), the daily cap, a channel to send on."""
    refusals: list[tuple[bool, Skip]] = [
        (kind == "marketing" and not marketing_opt_in, "no_consent"),
        (opted_out and not required, "opted_out"),
        (repeated(last_sent_at, now=now, period=period), "repeat"),
    ]
    refused = next((reason for applies, reason in refusals if applies), None)
    if refused is not None:
        return Drop(refused)
    if quiet(now):
        return Hold(after_quiet_hours(now))
    if sent_today >= DAILY_CAP:
        return Drop("daily_cap")
    return Send(channel_name) if channel_name is not None else Drop("no_channel")


def holds(condition: Sequence[tuple[str, str, float | str]], facts: dict[str, object]) -> bool:
    """Every `(fact, op, value)` of a rule's condition holds on the facts."""
    return all(_compare(facts.get(name), op, value) for name, op, value in condition)


def _compare(actual: object, op: str, value: float | str) -> bool:
    if op == "equals":
        return str(actual) == str(value)
    if not isinstance(actual, int | float) or not isinstance(value, int | float):
        return False
    return {
        "at_least": actual >= value,
        "at_most": actual <= value,
        "above": actual > value,
        "below": actual < value,
    }[op]


OPERATORS = ("equals", "at_least", "at_most", "above", "below")
