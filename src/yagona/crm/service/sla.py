"""SLAs of tickets on the business calendar: the ticket data (`crm/data/tickets.yaml`), the
calendar (Uzbek public holidays and the operator's days off), due dates, and the due jobs
that warn before a breach and record it (`crm.sla_check`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from yagona.crm import repository
from yagona.crm.errors import TicketInvalidError
from yagona.crm.events import SlaBreached
from yagona.crm.models import ContactRequest, DayOff, SlaEvent
from yagona.crm.rules import sla as rules
from yagona.crm.schemas import TICKET_DONE, SlaWarning, TicketOptions
from yagona.kernel import yamldata
from yagona.kernel.ids import new_id
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "tickets.yaml"
SLA_CHECK = "crm.sla_check"  # the due job's kind
CLOCKS = ("first_response", "resolution")


@cache
def data() -> dict[str, Any]:
    """The ticket data, read and checked once (a broken file stops the process at start)."""
    raw: dict[str, Any] = yamldata.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    rules.policy(raw)  # every priority has its targets
    for name, category in raw["categories"].items():
        if category["queue"] not in raw["queues"]:
            raise ValueError(f"category {name}: no queue {category['queue']}")
    return raw


@cache
def policy() -> rules.Policy:
    return rules.policy(data())


def options(language: str) -> TicketOptions:
    """The categories, priorities and queues, named in `language`."""
    raw = data()
    return TicketOptions(
        categories={k: v["label"].get(language, v["label"]["en"]) for k, v in raw["categories"].items()},
        priorities=tuple(raw["priorities"]),
        queues={k: v.get(language, v["en"]) for k, v in raw["queues"].items()},
    )


def queue_of(category: str) -> str:
    return str(data()["categories"][category]["queue"])


def open_queues() -> frozenset[str]:
    return frozenset(data().get("open_queues", ()))


def checked(*, category: str, priority: str) -> tuple[str, str]:
    raw = data()
    if category not in raw["categories"]:
        raise TicketInvalidError(f"no category {category[:20]}", field="category")
    if priority not in raw["priorities"]:
        raise TicketInvalidError(f"no priority {priority[:20]}", field="priority")
    return category, priority


# --- the calendar ----------------------------------------------------------------------------


def business_calendar(uow: UnitOfWork, *, around: datetime) -> rules.BusinessCalendar:
    """The calendar for the year of `around`, the one before and the one after: public
    holidays, and the operator's extra days off from the database."""
    years = range(around.year - 1, around.year + 2)
    extra = repository.days_off(uow.session, start=date(years[0], 1, 1), end=date(years[-1], 12, 31))
    return rules.calendar(years=years, extra_days_off=[d.day for d in extra], settings=data()["calendar"])


def add_day_off(uow: UnitOfWork, *, day: date, reason: str) -> bool:
    """An extra day off (the call-centre closed); False when it was one already. Tickets opened
    from now on count around it; the due dates of open ones stay as they were."""
    if repository.day_off(uow.session, day) is not None:
        return False
    text = " ".join(reason.split())[:200] or "day off"
    repository.add(uow.session, DayOff(day=day, reason=text, added_at=uow.clock.now()))
    return True


def remove_day_off(uow: UnitOfWork, *, day: date) -> bool:
    return repository.remove_day_off(uow.session, day)


def days_off(uow: UnitOfWork, *, year: int) -> list[tuple[date, str]]:
    """The year's days off: public holidays and the operator's, in order."""
    holidays, _ = rules.public_holidays([year])
    extra = {d.day: d.reason for d in repository.days_off(uow.session, start=date(year, 1, 1), end=date(year, 12, 31))}
    names = rules.holiday_names([year])
    return sorted([(d, names.get(d, "")) for d in holidays] + list(extra.items()))


# --- due dates and their jobs ----------------------------------------------------------------


def set_due_dates(uow: UnitOfWork, row: ContactRequest) -> None:
    """The ticket's due dates from its category and priority, and the jobs that check them."""
    pol = policy()
    cal = business_calendar(uow, around=row.opened_at)
    due = rules.due_dates(pol, cal, category=row.category, priority=row.priority, opened_at=row.opened_at)
    row.first_response_due, row.resolution_due = due.first_response, due.resolution
    calendar_days = rules.calendar_days_target(pol, row.category)
    for clock, due_at in (("first_response", due.first_response), ("resolution", due.resolution)):
        working = not (clock == "resolution" and calendar_days)
        warn = rules.warn_at(cal, opened_at=row.opened_at, due=due_at, percent=pol.warn_at_percent,
                             working_hours=working)  # fmt: skip
        for level, at in (("warning", warn), ("breach", due_at + timedelta(seconds=1))):
            jobs.schedule(
                uow.session,
                key=f"crm.sla:{row.id}:{clock}:{level}:{due_at.isoformat()}",
                kind=SLA_CHECK,
                due_at=at,
                payload={"ticket": row.id, "clock": clock, "level": level, "due": due_at.isoformat()},
                now=uow.clock.now(),
            )


def risk_of(row: ContactRequest, now: datetime, cal: rules.BusinessCalendar) -> str:
    """The worse of the ticket's two clocks: ok | at_risk (past the warning the due job
    records) | breached. A clock stopped without its answer (merged, closed) counts no more."""
    worst = "ok"
    pol = policy()
    calendar_days = rules.calendar_days_target(pol, row.category)
    for clock in CLOCKS:
        due = row.first_response_due if clock == "first_response" else row.resolution_due
        if due is None:
            continue
        done = row.first_response_at if clock == "first_response" else row.resolved_at or row.closed_at
        if done is None and row.status in TICKET_DONE:
            continue
        working = not (clock == "resolution" and calendar_days)
        warn = rules.warn_at(cal, opened_at=row.opened_at, due=due, percent=pol.warn_at_percent, working_hours=working)
        found = rules.risk(now, warn=warn, due=due, done_at=done)
        if rules.RISKS.index(found) > rules.RISKS.index(worst):
            worst = found
    return worst


def check(uow: UnitOfWork, *, ticket_id: str, clock: str, level: str, due: str) -> dict[str, Any] | None:
    """The due job: a ticket's clock reached its warning or its due time. Records it once,
    unless the clock stopped (answered, resolved, merged) or moved (a new priority)."""
    row = repository.contact_request(uow.session, ticket_id[:36])
    if row is None or clock not in CLOCKS:
        return None
    current = row.first_response_due if clock == "first_response" else row.resolution_due
    if current is None or current.isoformat() != due:
        return None
    stopped = row.status in TICKET_DONE or (clock == "first_response" and row.first_response_at is not None)
    if stopped:
        return None
    recorded = repository.record_sla_event(
        uow.session,
        SlaEvent(
            id=new_id(),
            ticket_id=row.id,
            queue=row.queue,
            kind=clock,
            level=level,
            due_at=current,
            recorded_at=uow.clock.now(),
        ),
    )
    if not recorded:
        return None
    if level == "breach":
        uow.add_event(
            SlaBreached(occurred_at=uow.clock.now(), ticket_id=row.id, customer_id=row.customer_id, clock=clock,
                        queue=row.queue, category=row.category, priority=row.priority, channel=row.channel)
        )  # fmt: skip
    return {"ticket": row.id, "clock": clock, "level": level, "queue": row.queue}


def warnings(uow: UnitOfWork, *, queues: list[str] | None = None, limit: int = 100) -> list[SlaWarning]:
    """SLA warnings and breaches recorded, newest first (the supervisor's list)."""
    rows = repository.sla_events(uow.session, queues=queues, limit=max(1, min(limit, uow.limits.page_size_max)))
    return [SlaWarning.model_validate(r, from_attributes=True) for r in rows]
