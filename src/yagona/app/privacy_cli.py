"""`yagona privacy …`: publish a new version of a document (the offer, the privacy agreement,
the bonus programme rules), tell every customer by SMS, and record disclosures to state
bodies. It reads identity's customers and writes privacy's records, so it lives in the
composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yagona.identity import service as identity
from yagona.platform.api import as_tashkent
from yagona.platform.cli import echo_json, environment, refusals_to_exit
from yagona.privacy import cli as privacy_cli
from yagona.privacy import service as privacy

# One `yagona privacy`: the domain's own commands (holds, erasure, retention, keys) and these.
app = privacy_cli.app
document_app = typer.Typer(help="Versioned documents customers accept.", no_args_is_help=True)
disclosure_app = typer.Typer(help="Disclosures to state bodies.", no_args_is_help=True)
app.add_typer(document_app, name="document")
app.add_typer(disclosure_app, name="disclosure")


@document_app.command("publish")
@refusals_to_exit
def publish(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="offer, privacy or programme")],
    version: Annotated[str, typer.Option("--version", help="The new version's name, e.g. 2026-12")],
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False, readable=True, help="Its text (UTF-8)")],
    needs_acceptance: Annotated[
        bool, typer.Option("--needs-acceptance", help="Ask every customer to accept it at their next sign-in")
    ] = False,
) -> None:
    """Record the version (in force from now) and queue an SMS to every customer."""
    text = file.read_text(encoding="utf-8")
    with environment(ctx).unit_of_work() as uow:
        recipients = [
            privacy.Recipient(customer_id=c, phone=p, language=lang) for c, p, lang in identity.notice_recipients(uow)
        ]
        done = privacy.publish_document(
            uow, kind=kind, version=version, text=text, needs_acceptance=needs_acceptance, recipients=recipients
        )
        uow.commit()
    echo_json(
        {
            "kind": done.document.kind,
            "version": done.document.version,
            "sha256": done.document.sha256,
            "needs_acceptance": done.document.needs_acceptance,
            "published_at": as_tashkent(done.document.published_at),
            "customers_told": done.told,
        }
    )


@disclosure_app.command("record")
@refusals_to_exit
def record(  # noqa: PLR0917 - a disclosure is recorded with all of this
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Option("--customer")],
    body: Annotated[str, typer.Option("--body", help="The requesting state body")],
    legal_basis: Annotated[str, typer.Option("--basis", help="The legal basis (the law, its article)")],
    reference: Annotated[str, typer.Option("--reference", help="The request's document number and date")],
    given: Annotated[str, typer.Option("--given", help="What was given")],
    staff_login: Annotated[str, typer.Option("--by", help="The staff member who gave it (their id)")],
    secret: Annotated[bool, typer.Option("--secret", help="The law forbids telling the customer")] = False,
) -> None:
    """Record a disclosure to a state body."""
    with environment(ctx).unit_of_work() as uow:
        identity.get_customer(uow, customer_id=customer_id)
        done = privacy.record_disclosure(
            uow,
            customer_id=customer_id,
            body=body,
            legal_basis=legal_basis,
            reference=reference,
            given=given,
            staff_id=staff_login,
            secret=secret,
        )
        uow.commit()
    echo_json({"id": done.id, "disclosed_at": as_tashkent(done.disclosed_at), "secret": done.secret})
