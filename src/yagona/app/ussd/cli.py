"""`yagona ussd MSISDN`: a phone in the terminal — dial a code, answer its pages — through the
very conversation the gateway endpoint runs (for staff and tests). `yagona ussd gateway
add|list|disable`: who may call the endpoint."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Protocol

import typer
from typer.core import TyperGroup

from yagona.app.ussd import engine, gateways
from yagona.kernel.ids import new_id
from yagona.platform.cli import refusals_to_exit
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork

TERMINAL_GATEWAY = "terminal"  # the sessions of `yagona ussd MSISDN`


class _Environment(Protocol):
    settings: Settings

    def unit_of_work(self) -> UnitOfWork: ...


class _DialByDefault(TyperGroup):
    """`yagona ussd 998901234567` is `yagona ussd dial 998901234567`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["dial", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DialByDefault,
    help="USSD: `yagona ussd MSISDN` dials codes as that phone; `gateway` manages who may call the endpoint.",
    no_args_is_help=True,
)
gateway_app = typer.Typer(help="The USSD gateways allowed to call POST /api/v1/ussd.", no_args_is_help=True)
app.add_typer(gateway_app, name="gateway")


def _env(ctx: typer.Context) -> _Environment:
    env: Any = ctx.find_root().obj
    return env  # type: ignore[no-any-return]


@app.command("dial")
def dial(
    ctx: typer.Context,
    msisdn: Annotated[str, typer.Argument(help="The phone that dials (998901234567).")],
    code: Annotated[str | None, typer.Option(help="The code to dial; asked for when not given.")] = None,
) -> None:
    """Dial codes as MSISDN and answer their pages; an empty line (or the end of input) hangs
    up, and asks for the next code."""
    env = _env(ctx)
    timeout_s = env.settings.ussd.session_timeout_s
    while True:
        dialled = code or _read(prompt="Code", secret=False)
        if not dialled:
            return
        _session(env, msisdn, dialled, timeout_s)
        if code:
            return


def _session(env: _Environment, msisdn: str, dialled: str, timeout_s: float) -> None:
    session, inputs = f"{TERMINAL_GATEWAY}-{new_id()}", list[str]()
    while True:
        with env.unit_of_work() as uow:
            reply = engine.respond(
                uow,
                gateway=TERMINAL_GATEWAY,
                session_ref=session,
                service_code=dialled,
                phone=msisdn,
                text="*".join(inputs),
                timeout_s=timeout_s,
            )
            uow.commit()
        typer.echo(reply.text)
        if reply.end:
            return
        typed = _read(prompt=">", secret=reply.secret)
        if typed is None:
            return
        inputs.append(typed)


def _read(*, prompt: str, secret: bool) -> str | None:
    """One line from the keyboard (a PIN unseen on a terminal); None when it is empty or input ends."""
    try:
        typed = typer.prompt(prompt, prompt_suffix=" ", hide_input=secret and sys.stdin.isatty(), default="")
    except typer.Abort:
        return None
    return str(typed).strip() or None


@gateway_app.command("add")
@refusals_to_exit
def gateway_add(ctx: typer.Context, name: Annotated[str, typer.Argument(help="e.g. operator-ussdc")]) -> None:
    """Add a gateway and print its key once: it authenticates as HTTP Basic NAME:KEY."""
    with _env(ctx).unit_of_work() as uow:
        key = gateways.add(uow, name=name)
        uow.commit()
    typer.echo(f"gateway {name} added; its key (shown once, keep it in the gateway's configuration):")
    typer.echo(key)


@gateway_app.command("list")
def gateway_list(ctx: typer.Context) -> None:
    """Every gateway and whether it may call."""
    with _env(ctx).unit_of_work() as uow:
        found = gateways.list_all(uow)
    for row in found:
        state = "active" if row.active else f"disabled {row.disabled_at:%Y-%m-%d %H:%M}"
        typer.echo(f"{row.name}\t{state}\tadded {row.created_at:%Y-%m-%d %H:%M}")


@gateway_app.command("disable")
@refusals_to_exit
def gateway_disable(ctx: typer.Context, name: str) -> None:
    """The gateway's key stops working at once."""
    with _env(ctx).unit_of_work() as uow:
        gateways.disable(uow, name=name)
        uow.commit()
    typer.echo(f"gateway {name} disabled")
