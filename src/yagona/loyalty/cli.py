"""`yagona loyalty …`: a customer's points (`consume`, the JetStream consumer, is wired by
`app.cli`: it needs the handlers, an adapter of its own)."""

from __future__ import annotations

import typer

from yagona.kernel.money import Money
from yagona.loyalty import service
from yagona.platform.api import as_tashkent
from yagona.platform.cli import echo_json, environment, refusals_to_exit

app = typer.Typer(help="The bonus programme.", no_args_is_help=True)


@app.command()
@refusals_to_exit
def show(ctx: typer.Context, phone: str) -> None:
    """A customer's points, tier, 90-day spend, carry and open lots."""
    with environment(ctx).unit_of_work() as uow:
        state = service.state(uow, phone=phone)
    echo_json(
        {
            "phone": state.phone,
            "points": state.points,
            "tier": state.tier,
            "spend_90d": Money(state.spend_90d_tiyin).to_json(),
            "carry": Money(state.carry_tiyin).to_json(),
            "lots": [
                {
                    "points": lot.points,
                    "earned_at": as_tashkent(lot.earned_at),
                    "expires_at": as_tashkent(lot.expires_at),
                }
                for lot in state.lots
            ],
        }
    )
