"""`yagona ledger …`: verify the invariants, read balances and history."""

from __future__ import annotations

from typing import Annotated

import typer

from yagona.kernel.money import Money
from yagona.ledger import service
from yagona.ledger.schemas import Unit
from yagona.ledger.views import account_view, history_view
from yagona.platform.cli import echo_json, environment, refusals_to_exit

app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)


@app.command()
@refusals_to_exit
def verify(ctx: typer.Context) -> None:
    """Check every invariant; exit 1 with a report when one fails."""
    with environment(ctx).unit_of_work() as uow:
        report = service.verify(uow)
    if report.ok:
        typer.echo(f"ledger ok: {report.accounts} accounts, {report.transfers} transfers, every invariant holds")
        return
    typer.echo(f"ledger BROKEN: {len(report.problems)} problem(s)", err=True)
    for problem in report.problems:
        typer.echo(f"  {problem.check}: {problem.subject}: {problem.detail}", err=True)
    raise typer.Exit(1)


@app.command()
@refusals_to_exit
def balance(ctx: typer.Context, code: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show an account's balance and running totals."""
    with environment(ctx).unit_of_work() as uow:
        account = service.get_account(uow, code=code)
    if as_json:  # so'm, as every channel of Yagona speaks
        echo_json(account_view(account).model_dump(mode="json"))
        return

    def fmt(value: int) -> str:
        return Money(value).format() if account.unit == Unit.SOM else f"{value} points"

    typer.echo(f"{account.code} ({account.kind}, owner {account.owner})")
    typer.echo(f"  balance    {fmt(account.balance)}")
    typer.echo(f"  available  {fmt(account.available)}")
    typer.echo(f"  pending    debits {fmt(account.debits_pending)}, credits {fmt(account.credits_pending)}")


@app.command()
@refusals_to_exit
def history(
    ctx: typer.Context, code: str, limit: int = 20, cursor: Annotated[str | None, typer.Option()] = None
) -> None:
    """An account's transfers, newest first: so'm, Tashkent times."""
    with environment(ctx).unit_of_work() as uow:
        page = service.history(uow, code=code, cursor=cursor, limit=limit)
    echo_json(history_view(page).model_dump(mode="json"))
