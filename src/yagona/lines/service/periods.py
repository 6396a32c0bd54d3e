"""Billing periods: when the next fee falls due, the bundles of a period, and the due jobs
that carry a line from one period to the next."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from yagona.catalog import service as catalog
from yagona.catalog.schemas import Plan
from yagona.kernel.clock import TASHKENT
from yagona.lines import repository, rules
from yagona.lines.events import FeeCharged
from yagona.lines.models import Bundle, Line
from yagona.lines.service import rewards
from yagona.lines.service._base import (
    BLOCK_FEE,
    DAILY,
    HOLIDAY,
    RENEWAL,
    charge,
    duration,
    night_start,
    shown,
)
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork


def next_charge_at(plan: Plan, charged_on: date, *, anchor: date | None = None) -> datetime:
    """The night window in which the next fee falls due after a charge on `charged_on`.

    A monthly cycle keeps its anchor's day of the month (the connection day, or the day a
    reload or an unblock restarted the cycle): 31 Jan → 28 Feb → 31 Mar, never a drifting 28th.
    """
    if plan.billing_anchor == "calendar_month":
        due = rules.first_of_next_month(charged_on)
    else:
        due = rules.next_due(anchor or charged_on, charged_on, plan.period)
    return rules.night_window_start(due, night_start())


def anchor_of(line: Line) -> date:
    """The day the line's charge cycle is anchored on: `period_started_at` is set when a cycle
    starts (connection, reload, unblock, switch) and kept by the renewals of that cycle."""
    return line.period_started_at.astimezone(TASHKENT).date()


def restart_period(
    uow: UnitOfWork,
    line: Line,
    plan: Plan,
    *,
    fee: int,
    reason: str,
    key: str,
    new_cycle: bool = True,
    prorata_from: date | None = None,
) -> int:
    """Charge `fee`, burn the plan's bundles, grant new ones (pro rata from `prorata_from`),
    and start a period. A renewal continues its cycle (`new_cycle=False`); a reload, a switch
    or an unblock starts a cycle anchored today. A monthly fee takes the line's fee discount
    (a bonus programme reward), once. Returns what was charged."""
    if reason in rewards.MONTHLY_FEES:
        fee = rewards.use_fee_discount(uow, line, fee)
    now = uow.clock.now()
    today = now.astimezone(TASHKENT).date()
    due_day = line.next_charge_at.astimezone(TASHKENT).date() if line.next_charge_at is not None else today
    if line.next_charge_at is not None:
        jobs.cancel(uow.session, key=renewal_key(line))
    charge(uow, line, fee, reason=reason, key=key)
    if new_cycle:
        line.period_started_at = now
        line.next_charge_at = next_charge_at(plan, today)
    else:
        line.next_charge_at = next_charge_at(plan, due_day, anchor=anchor_of(line))
    line.plan_id, line.status, line.block_reason, line.version = plan.id, "active", None, line.version + 1
    grant_period(uow, line, plan, first=False, prorata_from=prorata_from)
    schedule_renewal(uow, line)
    uow.add_event(FeeCharged(occurred_at=now, msisdn=line.msisdn, plan=plan.id, kind=reason, amount_tiyin=fee))
    return fee


def period_grants(plan: Plan, *, first: bool, prorata_from: date | None) -> dict[str, int]:
    """The bundles a period of `plan` grants, by key, in the rating's units (KB for data);
    daily allowances are granted day by day (`grant_daily`), not here."""
    grants = dict(plan.bundles)
    if first:
        grants.update(plan.first_month_bundles)
    amounts: dict[str, int] = {}
    for key, bundle in grants.items():
        if bundle.period == "P1D":
            continue  # a daily allowance: granted by grant_daily, to the end of each day
        # Pro rata in the price list's own units (whole MB, minutes, SMS), then to KB.
        amount = rules.prorata(bundle.amount, prorata_from) if prorata_from is not None else bundle.amount
        if key in rules.KB_BUNDLES:
            amount *= rules.KB_PER_MB
        amounts[key] = amount
    return amounts


def grant_period(uow: UnitOfWork, line: Line, plan: Plan, *, first: bool, prorata_from: date | None) -> None:
    repository.burn_plan_bundles(uow.session, line.id)
    for key, amount in period_grants(plan, first=first, prorata_from=prorata_from).items():
        repository.add_bundle(
            uow.session,
            Bundle(
                line_id=line.id,
                key=key,
                origin="plan",
                granted=amount,
                remaining=amount,
                expires_at=line.next_charge_at,
            ),
        )
    if any(bundle.period == "P1D" for bundle in plan.bundles.values()):
        grant_daily(uow, line, plan)


def grant_daily(uow: UnitOfWork, line: Line, plan: Plan) -> list[dict[str, Any]]:
    """Today's daily allowances (Mening Davram: 130 MB a day), valid to the end of the day;
    tomorrow's are granted by a job at midnight."""
    now = uow.clock.now()
    midnight = rules.next_night_window(now, night_start())
    granted: list[dict[str, Any]] = []
    today = [b for b in repository.live_bundles(uow.session, line.id, now) if b.origin == "daily"]
    if any(b.expires_at == midnight for b in today):
        return granted  # already granted today (a renewal and the midnight job meet)
    for key, bundle in plan.bundles.items():
        if bundle.period != "P1D":
            continue
        amount = bundle.amount * rules.KB_PER_MB if key in rules.KB_BUNDLES else bundle.amount
        repository.add_bundle(
            uow.session,
            Bundle(line_id=line.id, key=key, origin="daily", granted=amount, remaining=amount, expires_at=midnight),
        )
        granted.append({"kind": "daily_bundle", "bundle": key, "amount": shown(key, amount)})
    jobs.schedule(
        uow.session,
        key=f"{DAILY}:{line.msisdn}:{midnight.astimezone(TASHKENT).date().isoformat()}",
        kind=DAILY,
        due_at=midnight,
        payload={"msisdn": line.msisdn},
        now=now,
    )
    return granted


def grant_holiday(uow: UnitOfWork, line: Line, year: int) -> list[dict[str, Any]]:
    """The professional holiday's international minutes, for a week; then next year's."""
    plan = catalog.get_plan(line.plan_id)
    if plan.holiday_bundle is None:
        return []
    now = uow.clock.now()
    holiday = plan.holiday_bundle
    repository.add_bundle(
        uow.session,
        Bundle(
            line_id=line.id,
            key=holiday.bundle,
            origin="holiday",
            granted=holiday.amount,
            remaining=holiday.amount,
            expires_at=now + duration(holiday.period),
        ),
    )
    schedule_holiday(uow, line, plan, after=date(year, 12, 31))
    return [{"kind": "holiday_minutes", "minutes": holiday.amount}]


def schedule_renewal(uow: UnitOfWork, line: Line) -> None:
    assert line.next_charge_at is not None
    jobs.schedule(
        uow.session,
        key=renewal_key(line),
        kind=RENEWAL,
        due_at=line.next_charge_at,
        payload={"msisdn": line.msisdn, "due": line.next_charge_at.isoformat()},
        now=uow.clock.now(),
    )


def renewal_key(line: Line) -> str:
    assert line.next_charge_at is not None
    return f"{RENEWAL}:{line.msisdn}:{line.next_charge_at.astimezone(TASHKENT).isoformat()}"


def schedule_block_fee(uow: UnitOfWork, line: Line, due: datetime) -> None:
    jobs.schedule(
        uow.session,
        key=f"{BLOCK_FEE}:{line.msisdn}:{due.astimezone(TASHKENT).date().isoformat()}",
        kind=BLOCK_FEE,
        due_at=due,
        payload={"msisdn": line.msisdn},
        now=uow.clock.now(),
    )


def schedule_holiday(uow: UnitOfWork, line: Line, plan: Plan, *, after: date) -> None:
    holiday = plan.holiday_bundle
    if holiday is None or holiday.holiday.month_day is None:
        return
    month, day = (int(part) for part in holiday.holiday.month_day.split("-"))
    when = date(after.year, month, day)
    if when <= after:
        when = date(after.year + 1, month, day)
    jobs.schedule(
        uow.session,
        key=f"{HOLIDAY}:{line.msisdn}:{when.isoformat()}",
        kind=HOLIDAY,
        due_at=rules.night_window_start(when, night_start()),
        payload={"msisdn": line.msisdn, "year": when.year},
        now=uow.clock.now(),
    )
