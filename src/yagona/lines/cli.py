"""`yagona lines …`: look at a line, and the staff actions on it."""

from __future__ import annotations

from typing import Annotated

import typer

from yagona.kernel.money import Money
from yagona.lines import service
from yagona.platform.api import as_tashkent
from yagona.platform.cli import echo_json, environment, refusals_to_exit

app = typer.Typer(help="Mobile lines.", no_args_is_help=True)


@app.command()
@refusals_to_exit
def show(ctx: typer.Context, msisdn: str) -> None:
    """A line's plan, status, balance and what is left of its bundles."""
    with environment(ctx).unit_of_work() as uow:
        line = service.state(uow, msisdn=msisdn)
    echo_json(
        {
            **line.model_dump(mode="json", exclude={"balance_tiyin", "next_charge_tiyin", "next_charge_at"}),
            "balance": Money(line.balance_tiyin).to_json(),
            "next_charge_at": as_tashkent(line.next_charge_at) if line.next_charge_at else None,
            "next_charge": Money(line.next_charge_tiyin).to_json() if line.next_charge_tiyin is not None else None,
        }
    )


@app.command()
@refusals_to_exit
def block(
    ctx: typer.Context,
    msisdn: str,
    reason: Annotated[str, typer.Option(help="administrative | lost")] = "administrative",
) -> None:
    """Block a line (staff)."""
    with environment(ctx).unit_of_work() as uow:
        service.block(uow, msisdn=msisdn, reason=reason)  # type: ignore[arg-type]
        uow.commit()
    typer.echo(f"line {msisdn} blocked ({reason})")


@app.command()
@refusals_to_exit
def unblock(ctx: typer.Context, msisdn: str) -> None:
    """Lift a block (staff); after an administrative block the fee is charged, and said."""
    with environment(ctx).unit_of_work() as uow:
        line, charged = service.unblock_charging(uow, msisdn=msisdn)
        uow.commit()
    fee = f"; charged {Money(charged).format()} (the plan's fee)" if charged else "; nothing charged"
    typer.echo(f"line {line.msisdn} unblocked{fee}; balance {Money(line.balance_tiyin).format()}")
