"""`yagona bench …`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Annotated

import typer

from yagona.app.bench import ledger as ledger_bench
from yagona.app.bench import machine, report, scratch
from yagona.app.bench.ledger import Backend, BenchmarkError, Result, Scenario
from yagona.kernel.clock import SystemClock

app = typer.Typer(help="Benchmarks (not tests): figures for docs/benchmarks.md.", no_args_is_help=True)


def _database(backend: Backend, postgres_url: str) -> AbstractContextManager[str]:
    return scratch.sqlite_database() if backend == Backend.SQLITE else scratch.postgres_database(postgres_url)


def _run_all(chosen: list[Scenario], postgres_url: str, skip_postgres: bool) -> Iterator[Result]:
    for scenario in chosen:
        if scenario.backend == Backend.POSTGRES and skip_postgres:
            continue
        # Progress goes to stderr, so `--json` output stays clean on stdout.
        typer.echo(f"running {scenario.name} ({scenario.transfers} transfers)…", err=True)
        with _database(scenario.backend, postgres_url) as url:
            yield ledger_bench.run(scenario, url)


@app.command()
def ledger(
    transfers: Annotated[
        int | None,
        typer.Option(min=1, help="Timed transfers per scenario (default: 20 000 when batched, else 5 000)."),
    ] = None,
    only: Annotated[Backend | None, typer.Option(help="Run only the SQLite or only the PostgreSQL scenarios.")] = None,
    postgres_url: Annotated[
        str,
        typer.Option(
            envvar="YAGONA_TEST_POSTGRES_URL",
            help="The server; each scenario creates and drops a scratch database there.",
        ),
    ] = scratch.DEFAULT_POSTGRES_URL,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Transfers/s and commit latency of the ledger on SQLite and PostgreSQL."""
    chosen = ledger_bench.scenarios(transfers, only)
    wants_postgres = any(s.backend == Backend.POSTGRES for s in chosen)
    why_not = scratch.postgres_unreachable(postgres_url) if wants_postgres else None
    facts = scratch.postgres_facts(postgres_url) if wants_postgres and why_not is None else {}
    skipped = [f"PostgreSQL rows skipped: {why_not}"] if why_not else []
    this_machine = machine.describe(facts.get("server_version", "unreachable" if why_not else "not used"))
    try:
        results = list(_run_all(chosen, postgres_url, skip_postgres=why_not is not None))
    except BenchmarkError as error:
        typer.echo(f"BENCHMARK FAILED: {error}", err=True)
        raise typer.Exit(1) from error
    date = SystemClock().now().isoformat(timespec="seconds")
    if as_json:
        document = report.as_json(
            date=date, machine=this_machine, postgres_settings=facts, results=results, skipped=skipped
        )
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    for line in [date, *report.machine_lines(this_machine, facts), "", *report.table(results), ""]:
        typer.echo(line)
    for line in [*report.target_lines(results), *skipped]:
        typer.echo(line)
