"""`yagona mediation publish FILE` and `yagona mediation rate` (docs/mediation.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from yagona.app.mediation import cdr
from yagona.app.mediation.settings import MediationSettings
from yagona.kernel.errors import UnavailableError
from yagona.platform.uow import UnitOfWorkFactory

app = typer.Typer(help="Usage records from CDR files through JetStream to the rating (docs/mediation.md).")


@app.command()
def publish(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A CDR file in CSV (docs/mediation.md).")],
) -> None:
    """Publish each record to `<prefix>.<shard>`; a record published before is dropped by JetStream."""
    from yagona.app.mediation.publish import publish_file  # noqa: PLC0415 - nats only when used

    try:
        report = publish_file(file, MediationSettings())
    except cdr.HeaderError as error:
        typer.echo(f"error[invalid_request]: {file}: {error}", err=True)
        raise typer.Exit(2) from None
    except UnavailableError as error:
        typer.echo(f"error[unavailable]: {error}", err=True)
        raise typer.Exit(1) from None
    for refusal in report.refused:
        typer.echo(f"{file}:{refusal.line}: refused: {refusal.reason}", err=True)
    typer.echo(f"published {report.published}, duplicates {report.duplicates}, refused {len(report.refused)}")
    if report.refused:
        raise typer.Exit(1)


@app.command()
def rate(
    ctx: typer.Context,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes sharing the consumer.")] = 1,
    drain: Annotated[bool, typer.Option(help="Stop when nothing is pending or unacknowledged.")] = False,
) -> None:
    """Rate usage records from the shared durable consumer: batch, commit, then acknowledge."""
    if workers > 1:
        raise typer.Exit(_spawn(ctx, workers, drain))
    from yagona.app.mediation import worker  # noqa: PLC0415 - nats only when used

    settings = MediationSettings()
    try:
        report = worker.run(_uow_factory(ctx), settings, drain=drain)
    except UnavailableError as error:
        typer.echo(f"error[unavailable]: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"batches {report.batches}, rated {report.rated}, refused {report.refused}, "
        f"redelivered {report.redelivered}, terminated {report.terminated}"
    )


def _uow_factory(ctx: typer.Context) -> UnitOfWorkFactory:
    factory: UnitOfWorkFactory = ctx.find_root().obj.container.uow  # the root's Environment (app/cli.py)
    return factory


def _spawn(ctx: typer.Context, workers: int, drain: bool) -> int:
    """N processes of `yagona mediation rate` (one core each); the worst exit code."""
    env = dict(os.environ)
    if url := ctx.find_root().params.get("database_url"):
        env["YAGONA_DATABASE__URL"] = url
    command = [sys.executable, "-m", "yagona", "mediation", "rate", "--drain" if drain else "--no-drain"]
    processes = [subprocess.Popen(command, env=env) for _ in range(workers)]  # noqa: S603 - our own command
    return max(process.wait() for process in processes)
