"""`yagona privacy …`: legal holds (`hold add CUSTOMER --reason`, `hold release HOLD`,
`hold list`), erasure on a customer's written request (`erase CUSTOMER`), the retention pass
(`retention`, which also arms the daily job) and the k-anonymity check of a JSON export
(`k-anonymity FILE --quasi birth_year --quasi region --k 5`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from yagona.platform.cli import echo_json, environment, refusals_to_exit
from yagona.privacy import service

app = typer.Typer(
    help="Privacy: documents, disclosures, legal holds, erasure, retention, de-identification, field keys.",
    no_args_is_help=True,
)
hold_app = typer.Typer(help="Legal holds: the law requires a customer's data kept.", no_args_is_help=True)
app.add_typer(hold_app, name="hold")


@hold_app.command("add")
@refusals_to_exit
def hold_add(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="The customer's id.")],
    reason: Annotated[str, typer.Option(help="Why (a court order, an investigation): kept with the hold.")],
    reference: Annotated[str | None, typer.Option(help="The order's number or the case file.")] = None,
) -> None:
    """Place a legal hold: erasure of this customer's data is refused until it is released."""
    with environment(ctx).unit_of_work() as uow:
        hold = service.place_hold(uow, customer_id=customer, reason=reason, placed_by="cli", reference=reference)
        uow.commit()
    echo_json(hold.model_dump(mode="json"))


@hold_app.command("release")
@refusals_to_exit
def hold_release(
    ctx: typer.Context,
    hold: Annotated[str, typer.Argument(help="The hold's id.")],
    reason: Annotated[str | None, typer.Option(help="Why it ends (the order lifted): kept with the hold.")] = None,
) -> None:
    with environment(ctx).unit_of_work() as uow:
        released = service.release_hold(uow, hold_id=hold, released_by="cli", reason=reason)
        uow.commit()
    echo_json(released.model_dump(mode="json"))


@hold_app.command("list")
def hold_list(ctx: typer.Context, customer: Annotated[str | None, typer.Option()] = None) -> None:
    with environment(ctx).unit_of_work() as uow:
        echo_json([h.model_dump(mode="json") for h in service.holds(uow, customer_id=customer)])


@app.command("erase")
@refusals_to_exit
def erase(ctx: typer.Context, customer: Annotated[str, typer.Argument(help="The customer's id.")]) -> None:
    """Erase a customer's personal data (their written request): pseudonyms in place of
    personal fields, money records kept whole. Refused under a legal hold."""
    with environment(ctx).unit_of_work() as uow:
        done = service.erase(uow, customer_id=customer, requested_by="cli")
        uow.commit()
    echo_json(done.model_dump(mode="json"))


@app.command("retention")
@refusals_to_exit
def retention(ctx: typer.Context, purpose: Annotated[str | None, typer.Option()] = None) -> None:
    """Run the retention pass now (every purpose, or one) and arm the daily job."""
    with environment(ctx).unit_of_work() as uow:
        reports = service.run_retention(uow, purpose=purpose)
        service.arm_retention(uow)
        uow.commit()
    echo_json([r.model_dump(mode="json") for r in reports])


@app.command("k-anonymity")
@refusals_to_exit
def k_anonymity(
    rows: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A JSON list of rows.")],
    quasi: Annotated[list[str], typer.Option(help="A quasi-identifier column (repeat).")],
    k: Annotated[int, typer.Option(min=2)] = 5,
) -> None:
    """The re-identification risk of an export: exit 1 when a group is smaller than k."""
    report = service.k_anonymity(json.loads(rows.read_text(encoding="utf-8")), quasi=quasi, k=k)
    echo_json(report.model_dump(mode="json"))
    if not report.ok:
        raise typer.Exit(1)


@app.command("rotate-keys")
@refusals_to_exit
def rotate_keys(ctx: typer.Context) -> None:
    """Re-seal every sealed personal field (birth dates, identity documents, the PINFL) under the
    current key of YAGONA_FIELD_KEYS (the first), and recompute the PINFL's lookup hash under it;
    also seals rows written before sealing existed."""
    with environment(ctx).unit_of_work() as uow:
        done = service.rotate_keys(uow)
        uow.commit()
    echo_json(done)
