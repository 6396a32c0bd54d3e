"""`yagona payments statement|reconcile`: what the payment systems paid, and whether their
statements, Yagona's records and the ledger agree."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from yagona.payments import service
from yagona.platform.cli import echo_json, environment, refusals_to_exit

app = typer.Typer(help="Online payments in (Payme, Click): statements and reconciliation.", no_args_is_help=True)


def _instant(value: str, *, end: bool) -> datetime:
    parsed = datetime.fromisoformat(value)
    if len(value) <= 10:  # a date: the whole day
        parsed = datetime.combine(parsed.date(), time.max if end else time.min)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("statement")
@refusals_to_exit
def statement(
    ctx: typer.Context,
    system: Annotated[str, typer.Option(help="payme or click")],
    start: Annotated[str, typer.Option("--from", help="ISO date or instant (UTC if no offset)")],
    end: Annotated[str, typer.Option("--to", help="ISO date or instant (UTC if no offset)")],
) -> None:
    """List the system's transactions created in the period (JSON)."""
    if system not in (service.PAYME, service.CLICK):
        raise typer.BadParameter("payme or click", param_hint="--system")
    with environment(ctx).unit_of_work() as uow:
        rows = service.statement(uow, system=system, start=_instant(start, end=False), end=_instant(end, end=True))
    echo_json([row.model_dump(mode="json") for row in rows])


@app.command("reconcile")
@refusals_to_exit
def reconcile(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV: system,id,amount,state")],
) -> None:
    """Compare a statement with Yagona's records and the ledger; print every mismatch; exit 1
    when there is any."""
    with file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with environment(ctx).unit_of_work() as uow:
        problems = service.reconcile(uow, rows=rows)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo("statement, records and ledger agree")
