"""`yagona crm …`: the business calendar of ticket SLAs (the operator's extra days off) and
the members of the queues that are not open to every agent (claims)."""

from __future__ import annotations

from datetime import date

import typer

from yagona.crm import service
from yagona.crm.errors import TicketInvalidError
from yagona.identity.service import staff as staff_service
from yagona.platform.cli import echo_json, environment, refusals_to_exit

app = typer.Typer(help="Customer care: the tickets' business calendar and queues.", no_args_is_help=True)
calendar_app = typer.Typer(help="The business calendar of ticket SLAs.", no_args_is_help=True)
day_off_app = typer.Typer(help="Days the call-centre closes besides the public holidays.", no_args_is_help=True)
queue_app = typer.Typer(help="Who works the queues open to their members only (claims).", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
calendar_app.add_typer(day_off_app, name="day-off")
app.add_typer(queue_app, name="queue")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date like 2026-12-31") from None


@day_off_app.command("add")
@refusals_to_exit
def add_day_off(ctx: typer.Context, day: str, reason: str = typer.Option("day off", help="why it is closed")) -> None:
    """An extra day off (YYYY-MM-DD): tickets opened from now on count around it."""
    with environment(ctx).unit_of_work() as uow:
        added = service.add_day_off(uow, day=_day(day), reason=reason)
        uow.commit()
    echo_json({"day": day, "added": added})


@day_off_app.command("remove")
@refusals_to_exit
def remove_day_off(ctx: typer.Context, day: str) -> None:
    """The day is a working day again (if it is no public holiday)."""
    with environment(ctx).unit_of_work() as uow:
        removed = service.remove_day_off(uow, day=_day(day))
        uow.commit()
    echo_json({"day": day, "removed": removed})


@day_off_app.command("list")
@refusals_to_exit
def list_days_off(ctx: typer.Context, year: int) -> None:
    """The year's days off: the public holidays (the `holidays` package) and the operator's."""
    with environment(ctx).unit_of_work() as uow:
        days = service.days_off(uow, year=year)
    echo_json([{"day": d.isoformat(), "name": name} for d, name in days])


@queue_app.command("add-member")
@refusals_to_exit
def add_member(ctx: typer.Context, queue: str, login: str) -> None:
    """The member of staff `login` works `queue` from now on."""
    with environment(ctx).unit_of_work() as uow:
        found = next((m for m in staff_service.list_staff(uow) if m.login == login), None)
        if found is None:
            raise TicketInvalidError(f"no member of staff {login[:40]}", field="login")
        added = service.add_queue_member(uow, queue=queue, staff_id=found.id)
        uow.commit()
    echo_json({"queue": queue, "login": login, "added": added})
