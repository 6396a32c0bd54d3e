"""`yagona analytics …`: the de-identified store (export, refresh), segments, the churn model."""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated

import typer

from yagona.analytics import service
from yagona.kernel.clock import TASHKENT
from yagona.platform.cli import echo_json, environment, refusals_to_exit

app = typer.Typer(help="Analytics: the de-identified store, segments, churn risk.", no_args_is_help=True)
churn_app = typer.Typer(help="The churn model.", no_args_is_help=True)
app.add_typer(churn_app, name="churn")


@app.command()
@refusals_to_exit
def export(ctx: typer.Context) -> None:
    """Export the outbox's new events to the Parquet store (incremental: from the last export on)."""
    env = environment(ctx)
    started, written, passed = time.perf_counter(), 0, 0
    while True:
        with env.unit_of_work() as uow:
            batch = service.export_batch(uow)
            uow.commit()
        written, passed = written + batch.written, passed + batch.passed
        if batch.done:
            break
    seconds = time.perf_counter() - started
    typer.echo(f"{passed} outbox rows read, {written} rows written to {service.events_dir()} in {seconds:.1f} s")


@app.command()
@refusals_to_exit
def refresh(ctx: typer.Context) -> None:
    """What the nightly job does, now: export, every line's churn score (when trained), offers."""
    with environment(ctx).unit_of_work() as uow:
        done = service.refresh(uow)
        service.schedule_nightly(uow)
        uow.commit()
    scored = "no churn model yet" if done.scored is None else f"{done.scored} lines scored"
    typer.echo(f"{done.exported} rows exported; {scored}; {done.offers} offers made")


@app.command()
@refusals_to_exit
def segments(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD; today by default.")] = None,
    weekly: Annotated[bool, typer.Option(help="The sizes week by week over the store's days.")] = False,
) -> None:
    """How many lines each segment holds as of a day (or week by week)."""
    if weekly:
        environment(ctx)
        points = service.sizes_over_time(step_days=7)
        echo_json([{**point, "as_of": point["as_of"].isoformat()} for point in points])
        return
    with environment(ctx).unit_of_work() as uow:
        day = date.fromisoformat(as_of) if as_of else uow.clock.now().astimezone(TASHKENT).date()
    echo_json({"as_of": day.isoformat(), "sizes": service.sizes(as_of=day)})


@churn_app.command("train")
@refusals_to_exit
def churn_train(
    ctx: typer.Context,
    horizon_days: Annotated[int | None, typer.Option(min=3, help="Silent this long after a snapshot: churned.")] = None,
    step_days: Annotated[int, typer.Option(min=1, help="Days between snapshots.")] = 7,
) -> None:
    """Train on the store's snapshots, test on the last one (time-based hold-out)."""
    environment(ctx)
    started = time.perf_counter()
    trained = service.train_from_store(horizon_days=horizon_days, step_days=step_days)
    e = trained.evaluation
    echo_json(
        {
            "snapshots": trained.snapshots,
            "train_rows": e.train_rows,
            "test_rows": e.test_rows,
            "roc_auc": round(e.roc_auc, 4),
            "precision_top_decile": round(e.precision_top_decile, 4),
            "base_rate": round(e.base_rate, 4),
            "calibration": [{"predicted": round(p, 3), "observed": round(o, 3), "n": n} for p, o, n in e.calibration],
            "model": trained.path,
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
