"""`yagona`: serve, worker, db, ledger, bench, demo."""

from __future__ import annotations

import os
import tempfile
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import typer

import yagona
from yagona.app import lazy_cli
from yagona.app.sandbox import cli as sandbox_cli
from yagona.platform.cli import refusals_to_exit

if TYPE_CHECKING:  # imported on use: `yagona --help` loads no domain (docs/benchmarks.md, start-up)
    from yagona.app.bootstrap import Container
    from yagona.platform.settings import Settings
    from yagona.platform.uow import UnitOfWork


class Environment:
    """Built on first use, so `yagona --help` needs no database."""

    def __init__(self, database_url: str | None) -> None:
        self._database_url = database_url

    @cached_property
    def settings(self) -> Settings:
        from yagona.platform.settings import Settings

        settings = Settings()
        if self._database_url:
            settings = settings.model_copy(
                update={"database": settings.database.model_copy(update={"url": self._database_url})}
            )
        return settings

    @cached_property
    def container(self) -> Container:
        from yagona.app.bootstrap import bootstrap

        return bootstrap(self.settings)

    def unit_of_work(self) -> UnitOfWork:
        return self.container.uow()

    def close(self) -> None:
        """The command ended: its database connections are closed, not left to the exit."""
        if "container" in self.__dict__:
            self.container.engine.dispose()


app = typer.Typer(
    help="Yagona: a telecom operator's unified digital customer ecosystem.",
    no_args_is_help=True,
    cls=lazy_cli.LazyGroup,  # ledger, bench, catalog, identity, … imported on use (lazy_cli.LAZY)
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def loyalty_consume(
    ctx: typer.Context,
    max_messages: Annotated[int, typer.Option(min=1, help="Messages to take from each stream.")] = 1_000,
    timeout_s: Annotated[float, typer.Option(min=0.1, help="Stop a stream after this long without messages.")] = 2.0,
) -> None:
    """Earn from the charges relayed to JetStream (`YAGONA_BUS__NATS_URL`); each event once."""
    env = _env(ctx)
    if env.settings.bus.nats_url is None:
        typer.echo("no JetStream configured (YAGONA_BUS__NATS_URL)", err=True)
        raise typer.Exit(2)
    from yagona.loyalty import handlers as loyalty_handlers

    handled = loyalty_handlers.consume_jetstream(
        env.container.uow, env.settings.bus, max_messages=max_messages, timeout_s=timeout_s
    )
    typer.echo(f"{handled} events handled")


def _add_loyalty_consume(loyalty: typer.Typer) -> None:
    loyalty.command("consume")(loyalty_consume)


lazy_cli.ON_LOAD["loyalty"] = _add_loyalty_consume


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"yagona {yagona.__version__}")
        raise typer.Exit


@app.callback()
def main_options(
    ctx: typer.Context,
    database_url: Annotated[str | None, typer.Option(help="Overrides YAGONA_DATABASE__URL.")] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    ctx.obj = Environment(database_url)
    ctx.call_on_close(ctx.obj.close)


def _env(ctx: typer.Context) -> Environment:
    env: Environment = ctx.find_root().obj
    return env


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes; more than one uses every core.")] = 1,
    with_worker: Annotated[
        bool,
        typer.Option(
            help="Also run the due-job worker (renewals, night unblocks, SMS) in this process, as `make run`."
        ),
    ] = False,
) -> None:
    """Serve the API (and, as they arrive, the portal) over HTTP."""
    import uvicorn

    from yagona.app.api import create_app, ready_to_serve

    env = _env(ctx)
    settings = env.settings
    host, port = host or settings.http.host, port or settings.http.port
    if with_worker and workers > 1:
        typer.echo(
            "error[invalid_request]: --with-worker runs with one server process; start `yagona worker`", err=True
        )
        raise typer.Exit(2)
    if workers > 1:
        # Each worker process builds its own app from the environment: pass the URL there.
        os.environ["YAGONA_DATABASE__URL"] = settings.database.url
        # /metrics of any worker answers for all: the histograms go to files (app/metrics.py).
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="yagona-metrics-"))
        uvicorn.run(
            "yagona.app.api:create_app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            access_log=False,
        )
        return
    application = ready_to_serve(create_app(settings, container=env.container))
    halt_worker = None
    if with_worker:
        from yagona.app import worker as worker_module

        halt_worker = worker_module.in_background(env.container)
    try:
        uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)
    finally:
        if halt_worker is not None:
            halt_worker()


@app.command()
def worker(ctx: typer.Context, once: Annotated[bool, typer.Option(help="One pass, then exit.")] = False) -> None:
    """Run due jobs and relay events, until stopped."""
    from yagona.app import worker as worker_module

    container = _env(ctx).container
    if once:
        report = worker_module.run_pass(container)
        typer.echo(
            f"jobs {report.jobs}, redispatched {report.redispatched}, published {report.published}, sent {report.sent}"
        )
        return
    worker_module.run_forever(container)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = "heads") -> None:
    """Apply the migrations up to `revision`."""
    from yagona.platform import migrate

    env = _env(ctx)
    migrate.upgrade(env.container.engine, revision)
    typer.echo(f"database at {migrate.current(env.container.engine)}")


@db_app.command("check")
@refusals_to_exit
def db_check(ctx: typer.Context) -> None:
    """Check the database is at the one head and matches the models; exit 1 if not."""
    from yagona.app.metadata import all_metadata
    from yagona.platform import migrate

    engine = _env(ctx).container.engine
    heads, current = migrate.heads(), migrate.current(engine)
    problems = []
    if len(heads) != 1:
        problems.append(f"the migration tree has {len(heads)} heads: {heads}")
    if current not in heads:
        problems.append(f"database at {current}, head is {heads}: run `yagona db upgrade`")
    problems.extend(f"models and migrations differ: {diff}" for diff in migrate.differences(engine, all_metadata()))
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"schema ok at {current}")


app.command("simulate")(sandbox_cli.simulate)


demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")


@demo_app.command("load")
@refusals_to_exit
def demo_load(ctx: typer.Context) -> None:
    """Load the demo data (idempotent: a second run changes nothing)."""
    from yagona.app import demo
    from yagona.app import worker as worker_module

    env = _env(ctx)
    if env.settings.env == "prod":
        typer.echo("error[forbidden]: demo data is for dev and test databases only", err=True)
        raise typer.Exit(1)
    with env.unit_of_work() as uow:
        demo.load(uow, env.settings)
        uow.commit()
    worker_module.drain(env.container)  # the points the demo's charges earn, without waiting for a worker
    with env.unit_of_work() as uow:
        now = demo.current_state(uow)
    typer.echo("demo data ready, as it is now:\n  " + "\n  ".join(now))


@demo_app.command("population")
@refusals_to_exit
def demo_population(
    ctx: typer.Context,
    customers: Annotated[int, typer.Option(min=1, help="How many customers.")] = 1_000,
    days: Annotated[int, typer.Option(min=1, help="How many days of use.")] = 30,
    seed: Annotated[int, typer.Option(help="The same seed gives the same population.")] = 1,
    start: Annotated[str, typer.Option(help="The first day (Tashkent), YYYY-MM-DD.")] = "2026-09-01",
) -> None:
    """A synthetic operator through the real services on a simulated clock (docs/analytics.md);
    into the configured database (migrated, dev or test)."""
    from datetime import date, datetime

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from yagona.app.bootstrap import bootstrap
    from yagona.app.population import runner
    from yagona.kernel.clock import TASHKENT, SimulatedClock
    from yagona.platform.logging import configure_logging

    env = _env(ctx)
    if env.settings.env == "prod":
        typer.echo("error[forbidden]: a synthetic population is for dev and test databases only", err=True)
        raise typer.Exit(1)
    runner.check_size(customers, days)
    clock = SimulatedClock(datetime.combine(date.fromisoformat(start), datetime.min.time(), tzinfo=TASHKENT))
    configure_logging(level="WARNING")  # the bar, not a line per due job
    settings = env.settings.model_copy(update={"bus": env.settings.bus.model_copy(update={"defer": True})})
    container = bootstrap(settings, clock=clock, configure_logs=False)
    columns = (TextColumn("days"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("days", total=days)
        report = runner.generate(
            container, clock, customers=customers, days=days, seed=seed,
            progress=lambda done: bar.update(task, completed=done),
        )  # fmt: skip
    channels = ", ".join(f"{name} {count}" for name, count in sorted(report.by_channel.items()))
    typer.echo(
        f"{report.customers} customers x {report.days} days (seed {report.seed}): {report.records} usage records"
        f" ({report.refused} refused), {report.topups} top-ups ({channels}), {report.churners} churners"
    )
    care = report.care
    typer.echo(
        f"care: {care.tickets} tickets ({', '.join(f'{k} {v}' for k, v in sorted(care.by_channel.items()))}),"
        f" {care.resolved} resolved; survey answers: {', '.join(f'{k} {v}' for k, v in sorted(care.answers.items()))}"
        f" ({care.detractors} NPS detractors)"
    )


def main() -> None:
    app(prog_name="yagona")
