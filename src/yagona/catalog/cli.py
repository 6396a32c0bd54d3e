"""`yagona catalog …`: list, show and validate the tariff catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from yagona.catalog import service
from yagona.catalog.schemas import Bundle, Plan
from yagona.kernel.errors import YagonaError

T = TypeVar("T")

app = typer.Typer(help="The tariff catalogue: every plan of the price list, with its prices and rules.")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.command("list")
def list_command(
    as_json: JsonOption = False,
    open_only: Annotated[bool, typer.Option("--open-only", help="Leave out archive (closed) plans.")] = False,
) -> None:
    """List the plans in the order of the price list."""
    plans = _or_exit(lambda: service.list_plans(include_closed=not open_only))
    if as_json:
        typer.echo(_json([plan.model_dump(mode="json") for plan in plans]))
        return
    header = ("ID", "NAME", "GROUP", "STATUS", "FIRST FEE", "FEE", "PERIOD", "MINUTES", "SMS", "MB")
    rows = [header] + [
        (
            plan.id,
            plan.name,
            plan.group,
            plan.status,
            plan.first_fee.format(currency=False),
            plan.monthly_fee.format(currency=False),
            plan.period,
            _minutes(plan),
            _amount(plan.bundles.get("sms")),
            _amount(plan.bundles.get("mb")),
        )
        for plan in plans
    ]
    typer.echo(_table(rows))


@app.command("show")
def show_command(
    plan_id: Annotated[str, typer.Argument(metavar="PLAN", help="A plan id such as lider-plus.")],
    as_json: JsonOption = False,
    tmf: Annotated[bool, typer.Option("--tmf", help="Print the TMF620 ProductOffering.")] = False,
) -> None:
    """Show one plan: fees, bundles, prices and rules."""
    plan = _or_exit(lambda: service.get_plan(plan_id))
    if tmf:
        typer.echo(_json(service.to_tmf620(plan)))
    elif as_json:
        typer.echo(_json(plan.model_dump(mode="json")))
    else:
        typer.echo(_describe(plan))


@app.command("validate")
def validate_command(
    path: Annotated[
        Path | None, typer.Option("--path", help="A data directory to check instead of the shipped one.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check every data file; exit 1 and list the problems when any is invalid."""
    problems = service.validate(path)
    if as_json:
        typer.echo(_json({"ok": not problems, "problems": problems}))
    elif problems:
        typer.echo("\n".join(problems), err=True)
    else:
        typer.echo("catalogue ok")
    if problems:
        raise typer.Exit(1)


def _or_exit(call: Callable[[], T]) -> T:
    try:
        return call()
    except YagonaError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc


def _describe(plan: Plan) -> str:
    lines = [
        f"{plan.name} ({plan.id}) — {plan.group}, {plan.status}"
        + (f" since {plan.closed_since.isoformat()}" if plan.closed_since else ""),
        f"first fee {plan.first_fee}, then {plan.monthly_fee} per {plan.period}"
        + (f" (activation {plan.activation_fee})" if plan.activation_fee else "")
        + (", pro rata" if plan.prorata else ""),
    ]
    if plan.minimum_to_connect is not None:
        lines.append(f"minimum to connect {plan.minimum_to_connect}")
    lines.append("bundles: " + (", ".join(f"{k} {_amount(b)}" for k, b in plan.bundles.items()) or "none"))
    if plan.first_month_bundles:
        extra = ", ".join(f"{k} {_amount(b)}" for k, b in plan.first_month_bundles.items())
        lines.append(f"first month extra: {extra}")
    prices = plan.prices.model_dump(mode="json")
    lines.append("prices: " + ", ".join(f"{k} {v}" for k, v in prices.items() if v is not None))
    switching = plan.switching
    lines.append(
        f"switch code {switching.code or '-'}; may switch to: {', '.join(switching.to) or 'nothing'}"
        + (f"; threshold {switching.min_balance}" if switching.min_balance else "")
    )
    if plan.unconfirmed:
        lines.append("unconfirmed (read from garbled text): " + ", ".join(plan.unconfirmed))
    lines += [f"note: {note}" for note in plan.notes]
    return "\n".join(lines)


def _minutes(plan: Plan) -> str:
    if "minutes" in plan.bundles:
        return _amount(plan.bundles["minutes"])
    if "onnet_minutes" in plan.bundles:
        return f"{_amount(plan.bundles['onnet_minutes'])} on-net"
    return "-"


def _amount(bundle: Bundle | None) -> str:
    if bundle is None:
        return "-"
    return "unlimited" if bundle.unlimited else str(bundle.amount)


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(line.rstrip() for line in lines)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
