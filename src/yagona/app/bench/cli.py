"""`yagona bench …`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import typer

from yagona.app.bench import comparison, machine, report, scratch, sidebyside
from yagona.app.bench import identity as identity_bench
from yagona.app.bench import ledger as ledger_bench
from yagona.app.bench import lighthouse as lighthouse_bench
from yagona.app.bench import loyalty as loyalty_bench
from yagona.app.bench import payments as payments_bench
from yagona.app.bench import peer as peer_bench
from yagona.app.bench import rating as rating_bench
from yagona.app.bench import rating_http as rating_http_bench
from yagona.app.bench import wallet as wallet_bench
from yagona.app.bench.ledger import Backend, BenchmarkError, Result, Scenario
from yagona.kernel.clock import SystemClock
from yagona.platform.settings import GroupCommitSettings

app = typer.Typer(help="Benchmarks (not tests): figures for docs/benchmarks.md.", no_args_is_help=True)


def _database(backend: Backend, postgres_url: str) -> AbstractContextManager[str]:
    return scratch.sqlite_database() if backend == Backend.SQLITE else scratch.postgres_database(postgres_url)


def _chosen_backends(only: Backend | None, postgres_url: str) -> list[Backend]:
    """SQLite and PostgreSQL, or the one asked for; an unreachable PostgreSQL is skipped, and said."""
    chosen = []
    for backend in (Backend.SQLITE, Backend.POSTGRES):
        if only is not None and backend != only:
            continue
        if backend == Backend.POSTGRES and (why := scratch.postgres_unreachable(postgres_url)):
            typer.echo(f"PostgreSQL skipped: {why}")
            continue
        chosen.append(backend)
    return chosen


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
    peer: Annotated[
        str | None, typer.Option(help="Run side by side with a peer on one PostgreSQL instead: pgledger.")
    ] = None,
    peer_sql: Annotated[Path | None, typer.Option(help="The directory of the peer's SQL files.")] = None,
    seconds: Annotated[float, typer.Option(min=1, help="Side by side: seconds per shape, system and round.")] = 10,
    rounds: Annotated[
        int, typer.Option(min=1, help="Side by side: rounds per shape (the systems take turns; medians shown).")
    ] = 3,
    shapes: Annotated[str, typer.Option(help="Side by side: which shapes, e.g. abc.")] = "abc",
    group_window_ms: Annotated[float, typer.Option(help="Side by side: group commit window.")] = 2.0,
    group_max_size: Annotated[int, typer.Option(min=1, help="Side by side: requests a group takes at most.")] = 64,
    concurrent_groups: Annotated[
        int, typer.Option(min=1, help="Side by side: groups of a server process in their transactions at once.")
    ] = 1,
    no_group_commit: Annotated[bool, typer.Option(help="Side by side: each request its own transaction.")] = False,
    workers: Annotated[
        int, typer.Option(min=0, help="Side by side: Yagona server processes (0: one per core; 1: bigger groups).")
    ] = 0,
    pre_ping: Annotated[bool, typer.Option(help="Side by side: YAGONA_DATABASE__PRE_PING for Yagona.")] = True,
    server: Annotated[
        sidebyside.Server,
        typer.Option(help="Side by side: loop (one thread per server process) or threads (one per client)."),
    ] = sidebyside.Server.LOOP,
) -> None:
    """Transfers/s and commit latency of the ledger on SQLite and PostgreSQL."""
    if peer is not None:
        group_commit = GroupCommitSettings(
            enabled=not no_group_commit, window_ms=group_window_ms, max_size=group_max_size,
            concurrent_groups=concurrent_groups,
        )  # fmt: skip
        setup = sidebyside.Setup(group_commit, workers=workers, pre_ping=pre_ping, server=server)
        _side_by_side(peer, peer_sql, postgres_url, seconds, rounds, shapes, setup)
        return
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


def _side_by_side(
    peer: str,
    peer_sql: Path | None,
    postgres_url: str,
    seconds: float,
    rounds: int,
    shapes: str,
    setup: sidebyside.Setup,
) -> None:
    if peer != "pgledger" or peer_sql is None:
        typer.echo("--peer pgledger --peer-sql DIRECTORY is the one peer known", err=True)
        raise typer.Exit(2)
    if why_not := scratch.postgres_unreachable(postgres_url):
        typer.echo(why_not, err=True)
        raise typer.Exit(1)
    facts = scratch.postgres_facts(postgres_url)
    this_machine = machine.describe(facts["server_version"])
    chosen = [s for s in peer_bench.SHAPES if s.name in shapes]
    try:
        rows = comparison.compare(postgres_url, peer_sql, seconds=seconds, setup=setup, shapes=chosen, rounds=rounds)
    except BenchmarkError as error:
        typer.echo(f"BENCHMARK FAILED: {error}", err=True)
        raise typer.Exit(1) from error
    date = SystemClock().now().isoformat(timespec="seconds")
    for line in [date, *report.machine_lines(this_machine, facts), f"yagona: {setup}", ""]:
        typer.echo(line)
    for line in comparison.table(rows):
        typer.echo(line)


@app.command()
def wallet(
    transfers: Annotated[int, typer.Option(min=1, help="Timed transfers per backend.")] = 5_000,
    clients: Annotated[int, typer.Option(min=1, max=64, help="Concurrent clients (threads).")] = 8,
    only: Annotated[Backend | None, typer.Option(help="Run only SQLite or only PostgreSQL.")] = None,
    postgres_url: Annotated[
        str, typer.Option(envvar="YAGONA_TEST_POSTGRES_URL", help="The server; a scratch database is made there.")
    ] = scratch.DEFAULT_POSTGRES_URL,
) -> None:
    """Wallet-to-wallet transfers/s through the wallet's service layer, SQLite and PostgreSQL."""
    typer.echo(SystemClock().now().isoformat(timespec="seconds"))
    hmac_ms, argon2_ms = wallet_bench.pin_verify_ms()
    typer.echo(f"PIN check: HMAC-SHA-256 {hmac_ms:.3f} ms (in the rows); Argon2id of before {argon2_ms:.1f} ms")
    for backend in _chosen_backends(only, postgres_url):
        typer.echo(f"running {backend.value}, {clients} clients, {transfers} transfers…", err=True)
        for grouped in (True, False):  # group commit on, then off (each transfer its own transaction)
            try:
                with _database(backend, postgres_url) as url:
                    result = wallet_bench.run(
                        backend, url, clients=clients, transfers=transfers, group=GroupCommitSettings(enabled=grouped)
                    )
            except BenchmarkError as error:
                typer.echo(f"BENCHMARK FAILED: {error}", err=True)
                raise typer.Exit(1) from error
            typer.echo(
                f"{backend.value:8} group commit {'on ' if grouped else 'off'}  clients {result.clients}  "
                f"transfers {result.transfers}  {result.per_second:,.0f}/s  p50 {result.p50_ms:.1f} ms  "
                f"p99 {result.p99_ms:.1f} ms  CPU {result.cpu_us:,.0f} µs/transfer  "
                f"{result.mean_group:.1f} per commit"
            )


@app.command()
def identity(
    grants: Annotated[int, typer.Option(min=10, help="Timed grants per kind.")] = 2_000,
    logins: Annotated[int, typer.Option(min=5, help="Timed password sign-ins.")] = 100,
    only: Annotated[Backend | None, typer.Option(help="Run only SQLite or only PostgreSQL.")] = None,
    postgres_url: Annotated[
        str, typer.Option(envvar="YAGONA_TEST_POSTGRES_URL", help="The server; a scratch database is made there.")
    ] = scratch.DEFAULT_POSTGRES_URL,
) -> None:
    """One ID: refresh-token and client-credentials grants/s and password sign-ins/s, one core."""
    typer.echo(SystemClock().now().isoformat(timespec="seconds"))
    for backend in _chosen_backends(only, postgres_url):
        with _database(backend, postgres_url) as url:
            for row in identity_bench.run(url, grants=grants, logins=logins):
                typer.echo(
                    f"{row.backend:10} {row.scenario:44} n={row.operations:<6} {row.per_second:8,.0f}/s  "
                    f"p50 {row.p50_ms:6.1f} ms  p99 {row.p99_ms:6.1f} ms"
                )


@app.command()
def rating(
    events: Annotated[int, typer.Option(min=100, help="Usage events per service-layer scenario.")] = 5_000,
    http_events: Annotated[int, typer.Option(min=100, help="Usage records posted over HTTP.")] = 5_000,
    rate: Annotated[float, typer.Option(min=1, help="Paced HTTP rate, records/s.")] = 1_000,
    clients: Annotated[int, typer.Option(min=1, max=256, help="HTTP client threads.")] = 16,
    only: Annotated[str | None, typer.Option(help="service | http | sandbox")] = None,
    postgres_url: Annotated[
        str, typer.Option(envvar="YAGONA_TEST_POSTGRES_URL", help="The server; a scratch database is made there.")
    ] = scratch.DEFAULT_POSTGRES_URL,
) -> None:
    """Usage events rated and committed per second; HTTP p50/p99 at a paced rate; the sandbox."""
    typer.echo(SystemClock().now().isoformat(timespec="seconds"))
    rows = []
    try:
        if only in (None, "service"):
            for per_commit in (1, 100):
                with scratch.sqlite_database() as url:
                    rows.append(rating_bench.service_layer(url, events=events, per_commit=per_commit))
        if only in (None, "http"):
            if why := scratch.postgres_unreachable(postgres_url):
                typer.echo(f"PostgreSQL skipped: {why}")
            else:
                with scratch.postgres_database(postgres_url) as url:
                    rows.append(rating_bench.http_api(url, events=http_events, rate=rate, clients=clients))
        if only in (None, "sandbox"):
            rows.extend(rating_bench.sandbox(steps=1_001))
    except BenchmarkError as error:
        typer.echo(f"BENCHMARK FAILED: {error}", err=True)
        raise typer.Exit(1) from error
    for row in rows:
        typer.echo(
            f"{row.scenario:58} n={row.events:<6} {row.seconds:7.2f} s {row.per_second:9,.0f}/s  "
            f"p50 {row.p50_ms:7.1f} ms  p99 {row.p99_ms:7.1f} ms"
        )


@app.command("rating-http")
def rating_http(
    rate: Annotated[float, typer.Option(min=1, help="Usage records per second, one per request.")] = 1_000,
    seconds: Annotated[float, typer.Option(min=1, help="How long the paced load runs.")] = 60,
    workers: Annotated[int, typer.Option(min=1, max=64, help="`yagona serve --workers`.")] = 2,
    clients: Annotated[int, typer.Option(min=1, max=512, help="Client threads of the load generator.")] = 32,
    lines: Annotated[int, typer.Option(min=1, max=10_000, help="Lines the records are spread over.")] = 200,
    postgres_url: Annotated[
        str, typer.Option(envvar="YAGONA_TEST_POSTGRES_URL", help="The server; a scratch database is made there.")
    ] = scratch.DEFAULT_POSTGRES_URL,
) -> None:
    """Usage records over HTTP at a paced rate against `serve --workers N` on PostgreSQL:
    p50/p99, none lost or charged twice (counted in the database), server worker memory."""
    _postgres_header(postgres_url)
    typer.echo(f"running {rate:,.0f}/s for {seconds:.0f} s, {workers} server workers, {clients} clients…", err=True)
    try:
        with scratch.postgres_database(postgres_url) as url:
            r = rating_http_bench.run(url, rate=rate, seconds=seconds, workers=workers, clients=clients, lines=lines)
    except BenchmarkError as error:
        typer.echo(f"BENCHMARK FAILED: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(
        f"usage over HTTP, PostgreSQL, serve --workers {r.workers}, {r.clients} clients, paced {r.rate:,.0f}/s: "
        f"{r.sent} sent in {r.seconds:.1f} s, {r.answered_201} answered 201 ({r.per_second:,.0f}/s), "
        f"{r.replayed} replayed after the run; p50 {r.p50_ms:.1f} ms  p99 {r.p99_ms:.1f} ms  max {r.max_ms:.0f} ms; "
        f"{r.late_starts} sent > 5 ms late; {r.rows} usage rows (one per record); "
        f"largest server worker RSS {r.worker_rss_mb:.0f} MB"
    )
    split = " / ".join(f"{share:.0%}" for share in r.worker_cpu_shares)
    typer.echo(
        f"CPU per answered request (timed part, after {r.warmed} warm-up records): server workers "
        f"{r.server_cpu_us:,.0f} µs (split {split}), PostgreSQL backends {r.postgres_cpu_us:,.0f} µs "
        f"(a floor), generator {r.generator_cpu_us:,.0f} µs"
    )


def _postgres_header(postgres_url: str) -> None:
    """A PostgreSQL-only bench's first lines (the time, the machine, the server), or exit 1
    when the server does not answer."""
    if why := scratch.postgres_unreachable(postgres_url):
        typer.echo(f"PostgreSQL skipped: {why}")
        raise typer.Exit(1)
    facts = scratch.postgres_facts(postgres_url)
    for line in [
        SystemClock().now().isoformat(timespec="seconds"),
        *report.machine_lines(machine.describe(facts["server_version"]), facts),
    ]:
        typer.echo(line)


@app.command()
def lighthouse(
    binary: Annotated[
        Path, typer.Option(envvar="LIGHTHOUSE", help="The lighthouse command (make lighthouse installs it).")
    ] = Path(".lighthouse/node_modules/.bin/lighthouse"),
) -> None:
    """Lighthouse 12 on the sign-in page and the dashboard, mobile profile, Debian's Chromium."""
    typer.echo(SystemClock().now().isoformat(timespec="seconds"))
    for line in report.machine_lines(machine.describe("not used"), {}):
        typer.echo(line)
    try:
        pages = lighthouse_bench.run(binary)
    except BenchmarkError as error:
        typer.echo(f"BENCHMARK FAILED: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"{'page':28} " + " ".join(f"{name:>15}" for name in lighthouse_bench.CATEGORIES))
    for page in pages:
        typer.echo(f"{page.page:28} " + " ".join(f"{page.scores[name]:>15}" for name in lighthouse_bench.CATEGORIES))


@app.command()
def payments(
    seconds: Annotated[float, typer.Option(min=1, help="How long the load runs (the machine may be shared).")] = 20,
    clients: Annotated[int, typer.Option(min=1, max=64, help="Concurrent Payme clients (threads).")] = 4,
    postgres_url: Annotated[
        str, typer.Option(envvar="YAGONA_TEST_POSTGRES_URL", help="The server; a scratch database is made there.")
    ] = scratch.DEFAULT_POSTGRES_URL,
) -> None:
    """Payme Create+Perform pairs per second over HTTP on PostgreSQL, p50/p99 latency."""
    _postgres_header(postgres_url)
    typer.echo(f"running {seconds:.0f} s, {clients} clients…", err=True)
    try:
        with scratch.postgres_database(postgres_url) as url:
            result = payments_bench.run(url, seconds=seconds, clients=clients)
    except BenchmarkError as error:
        typer.echo(f"BENCHMARK FAILED: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(
        f"payme HTTP, PostgreSQL, {result.workers} server processes, {result.clients} clients: "
        f"{result.pairs} Create+Perform pairs in {result.seconds:.1f} s = {result.per_second:,.1f} pairs/s  "
        f"pair p50 {result.p50_ms:.1f} ms  p99 {result.p99_ms:.1f} ms  "
        f"(Create p50 {result.create_p50_ms:.1f} ms, Perform p50 {result.perform_p50_ms:.1f} ms)"
    )


@app.command()
def loyalty(
    events: Annotated[int, typer.Option(min=100, help="Timed charge events per backend.")] = 4_000,
    clients: Annotated[int, typer.Option(min=1, max=64, help="Producer threads committing the charges.")] = 4,
    only: Annotated[Backend | None, typer.Option(help="Run only SQLite or only PostgreSQL.")] = None,
    postgres_url: Annotated[
        str, typer.Option(envvar="YAGONA_TEST_POSTGRES_URL", help="The server; a scratch database is made there.")
    ] = scratch.DEFAULT_POSTGRES_URL,
) -> None:
    """Charge events turned into accruals per second, drained from the outbox; a second pass absorbed."""
    typer.echo(SystemClock().now().isoformat(timespec="seconds"))
    for backend in _chosen_backends(only, postgres_url):
        typer.echo(f"running {backend.value}, {clients} clients, {events} events…", err=True)
        try:
            with _database(backend, postgres_url) as url:
                row = loyalty_bench.run(backend, url, clients=clients, events=events)
        except BenchmarkError as error:
            typer.echo(f"BENCHMARK FAILED: {error}", err=True)
            raise typer.Exit(1) from error
        typer.echo(
            f"{backend.value:8} events {row.events}  drained {row.per_second:,.0f} accruals/s  "
            f"batch of {loyalty_bench.BATCH}: p50 {row.p50_ms:.0f} ms p99 {row.p99_ms:.0f} ms  "
            f"replayed {row.replay_per_second:,.0f}/s (absorbed)  "
            f"produced {row.produce_per_second:,.0f} charges/s ({row.clients} clients)"
        )


@app.command()
def mediation(
    records: Annotated[int, typer.Option(min=100, help="Usage records published and rated per run.")] = 10_000,
    batch_size: Annotated[int, typer.Option(min=1, max=1_000, help="Records a worker fetches and commits.")] = 200,
    postgres_url: Annotated[
        str, typer.Option(envvar="YAGONA_TEST_POSTGRES_URL", help="The server; a scratch database per run.")
    ] = scratch.DEFAULT_POSTGRES_URL,
    nats_url: Annotated[str, typer.Option(envvar="YAGONA_TEST_NATS_URL")] = "nats://127.0.0.1:4222",
) -> None:
    """Usage records through JetStream to one and two rating workers on PostgreSQL, records/s."""
    from yagona.app.bench import mediation as mediation_bench  # noqa: PLC0415 - nats only when run

    typer.echo(SystemClock().now().isoformat(timespec="seconds"))
    if why := scratch.postgres_unreachable(postgres_url):
        typer.echo(f"BENCHMARK FAILED: {why}", err=True)
        raise typer.Exit(1)
    facts = scratch.postgres_facts(postgres_url)
    for line in report.machine_lines(machine.describe(facts["server_version"]), facts):
        typer.echo(line)
    for workers in (1, 2):
        try:
            with scratch.postgres_database(postgres_url) as url:
                row = mediation_bench.run(url, nats_url, records=records, workers=workers, batch_size=batch_size)
        except BenchmarkError as error:
            typer.echo(f"BENCHMARK FAILED: {error}", err=True)
            raise typer.Exit(1) from error
        typer.echo(
            f"{workers} worker(s), batches of {batch_size}: {row.records} records in {row.seconds:6.2f} s "
            f"= {row.per_second:7,.0f} records/s (publishing alone took {row.publish_seconds:5.2f} s)"
        )


@app.command("analytics")
def analytics_bench(
    customers: Annotated[int, typer.Option(min=10, help="Customers of the synthetic operator.")] = 1_000,
    days: Annotated[int, typer.Option(min=14, help="Days of use.")] = 30,
    seed: Annotated[int, typer.Option(help="The population's seed.")] = 1,
) -> None:
    """Population generation (customer-days a minute), export to Parquet (rows/s), the KPI
    dashboard over the population (p50), churn training time — on SQLite."""
    from yagona.app.bench import analytics as analytics_bench_module  # noqa: PLC0415 - scikit-learn on use

    typer.echo(SystemClock().now().isoformat(timespec="seconds"))
    for line in report.machine_lines(machine.describe("not used"), {}):
        typer.echo(line)
    figures = analytics_bench_module.run(
        customers=customers, days=days, seed=seed, progress=lambda day: typer.echo(f"day {day}/{days}", err=True)
    )
    f = figures
    typer.echo(
        f"population {f.customers} x {f.days} days: {f.population_s:,.0f} s = {f.customer_days_per_minute:,.0f}"
        f" customer-days/min ({f.records:,} usage records; CPU {f.population_cpu_s:,.0f} s ="
        f" {f.customer_days_per_cpu_minute:,.0f} customer-days a CPU minute)\n"
        f"export: {f.export_rows:,} rows in {f.export_s:.1f} s = {f.export_rows_per_s:,.0f} rows/s\n"
        f"dashboard (every KPI, whole range): p50 {f.dashboard_p50_ms:,.0f} ms over {f.dashboard_runs} runs\n"
        f"churn training: {f.churn_s:.1f} s (time-based hold-out of {f.test_rows} lines: ROC AUC {f.roc_auc:.3f})"
    )
