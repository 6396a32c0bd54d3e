"""The `yagona` command as an operator runs it: a real process, a real database."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import structlog
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.e2e.server import free_port
from tests.services import scratch_postgres_database
from yagona import __version__ as yagona_version

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ran:
    """What an operator sees of a command: its exit code and its two streams."""

    returncode: int
    stdout: str
    stderr: str


def yagona(url: str, *args: str, env: dict[str, str] | None = None) -> Ran:
    """`yagona ARGS` on the database at `url`: the real command (its Typer app, its own
    bootstrap, its exit code and streams) run in this process, as Click's runner does — a new
    interpreter per command cost the suite minutes. `yagona_process` is the real process, kept
    for what only a process shows (the entry point, signals, start-up)."""
    from yagona.app.cli import app

    with _logging_restored():
        result = CliRunner().invoke(
            app,
            list(args),
            env={"YAGONA_DATABASE__URL": url, "YAGONA_ENV": "test", **(env or {})},
            prog_name="yagona",
            catch_exceptions=False,
        )
    return Ran(result.exit_code, result.stdout, result.stderr)


def migrated(database: Path, template: Path) -> str:
    """A new SQLite database at `database`, already at head (a copy of the session's template)."""
    shutil.copy(template, database)
    return f"sqlite:///{database}"


@contextmanager
def _logging_restored() -> Iterator[None]:
    """A command configures the process's logs (level, stderr handler) as its process would;
    the test process gets its own configuration back when the command ends."""
    root = logging.getLogger()
    handlers, level, structlog_config = root.handlers[:], root.level, structlog.get_config()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**structlog_config)


def yagona_process(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YAGONA_DATABASE__URL": url, "YAGONA_ENV": "test"}
    return subprocess.run(
        [sys.executable, "-m", "yagona", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def _run_the_operator_story(url: str) -> None:
    assert yagona(url, "db", "upgrade").returncode == 0
    checked = yagona(url, "db", "check")
    assert checked.returncode == 0, checked.stderr
    assert "schema ok" in checked.stdout
    loaded = yagona(url, "demo", "load")
    assert loaded.returncode == 0, loaded.stderr
    assert yagona(url, "demo", "load").returncode == 0  # idempotent
    verified = yagona(url, "ledger", "verify")
    assert verified.returncode == 0 and "every invariant holds" in verified.stdout
    balance = yagona(url, "ledger", "balance", "line:998901234500")  # Lider Plus: 150 000 - first fee 60 000
    assert "balance    90 000.00 so'm" in balance.stdout
    missing = yagona(url, "ledger", "balance", "nobody")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error[not_found]: no account nobody"

    engine = create_engine(url)
    with engine.begin() as connection:  # a tampered total must be found
        connection.execute(
            text(
                "UPDATE ledger_balance SET credits_posted = credits_posted + 1 WHERE account_id = (SELECT id FROM ledger_account WHERE code = 'line:998901234500')"
            )
        )
    engine.dispose()
    broken = yagona(url, "ledger", "verify")
    assert broken.returncode == 1
    assert "totals_match_transfers: line:998901234500#0" in broken.stderr
    assert "zero_sum: som" in broken.stderr


def test_an_operator_upgrades_loads_and_verifies_on_sqlite(tmp_path: Path) -> None:
    _run_the_operator_story(f"sqlite:///{tmp_path / 'yagona.db'}")


@pytest.mark.postgres
def test_an_operator_upgrades_loads_and_verifies_on_postgres() -> None:
    with scratch_postgres_database("yagona_cli") as url:
        _run_the_operator_story(url)


def test_a_schema_behind_its_models_fails_the_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    assert yagona(url, "db", "upgrade").returncode == 0
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_platform_job_due"))
    engine.dispose()
    checked = yagona(url, "db", "check")
    assert checked.returncode == 1
    assert "models and migrations differ" in checked.stderr


def test_help_needs_no_database() -> None:
    shown = subprocess.run([sys.executable, "-m", "yagona", "--help"], capture_output=True, text=True, check=False)
    assert shown.returncode == 0
    for command in ("serve", "worker", "db", "ledger", "catalog", "bench", "demo"):
        assert command in shown.stdout


def test_a_weak_secret_is_refused_outside_dev() -> None:
    env = {**os.environ, "YAGONA_ENV": "prod", "YAGONA_SECRET_KEY": "short"}
    run = subprocess.run(
        [sys.executable, "-m", "yagona", "ledger", "verify"], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode != 0
    assert "YAGONA_SECRET_KEY is weak" in run.stderr


@pytest.mark.parametrize(
    ("planted", "where", "broken"),
    [
        ("from yagona.app import api  # noqa\n", "ledger/service.py", "Domains form a DAG"),
        ("import sqlalchemy  # noqa\n", "ledger/rules.py", "are pure"),
        ("from yagona.ledger import repository  # noqa\n", "catalog/service.py", "public rooms"),
        ("from yagona.ledger import routes  # noqa\n", "ledger/repository.py", "Rooms inside a domain"),
    ],
)
def test_the_architecture_contracts_catch_a_planted_violation(
    tmp_path: Path, planted: str, where: str, broken: str
) -> None:
    shutil.copytree(ROOT / "src", tmp_path / "src")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "yagona" / where
    target.write_text(planted + target.read_text())
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    run = subprocess.run([lint, "--no-cache"], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 1, run.stdout
    assert broken in run.stdout
    assert "BROKEN" in run.stdout


def test_the_worker_runs_one_pass(tmp_path: Path, sqlite_template: Path) -> None:
    url = migrated(tmp_path / "worker.db", sqlite_template)
    run = yagona(url, "worker", "--once")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "jobs 0, redispatched 0, published 0, sent 0"


def test_serve_with_two_worker_processes_answers_health(tmp_path: Path, sqlite_template: Path) -> None:
    url = migrated(tmp_path / "served.db", sqlite_template)
    port = free_port()
    env = {**os.environ, "YAGONA_DATABASE__URL": url, "YAGONA_ENV": "test"}
    server = subprocess.Popen(
        [sys.executable, "-m", "yagona", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert ready.json() == {"status": "ready", "database": "sqlite"}
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_version() -> None:
    shown = subprocess.run([sys.executable, "-m", "yagona", "--version"], capture_output=True, text=True, check=False)
    assert shown.returncode == 0 and shown.stdout.strip() == f"yagona {yagona_version}"


def test_demo_load_prints_the_state_as_it_is_now_in_som(tmp_path: Path, sqlite_template: Path) -> None:
    url = migrated(tmp_path / "demo.db", sqlite_template)
    first = yagona(url, "demo", "load")
    assert first.returncode == 0, first.stderr
    assert "line 998901234500 (lider-plus, active): balance 90 000.00 so'm" in first.stdout
    assert "wallet 998901234500 (PIN 24680): balance 200 000.00 so'm" in first.stdout
    # the ledger's CLI speaks so'm and Tashkent time too
    history = json.loads(yagona(url, "ledger", "history", "line:998901234500", "--limit", "1").stdout)
    [fee] = history["items"]
    assert (fee["reason"], fee["amount"]) == ("fee", 60_000)  # so'm, not 6 000 000 tiyin
    assert fee["created_at"].endswith("+05:00")
    balance = json.loads(yagona(url, "ledger", "balance", "line:998901234500", "--json").stdout)
    assert (balance["balance_now"], balance["credits_posted"]) == (90_000, 150_000)
    engine = create_engine(url)
    with engine.begin() as connection:  # the demo line spends 1 000 so'm after loading
        connection.execute(
            text(
                "UPDATE ledger_balance SET debits_posted = debits_posted + 100000 WHERE account_id = "
                "(SELECT id FROM ledger_account WHERE code = 'line:998901234500')"
            )
        )
    engine.dispose()
    again = yagona(url, "demo", "load")
    assert "line 998901234500 (lider-plus, active): balance 89 000.00 so'm" in again.stdout, again.stdout


def test_the_dev_server_runs_due_jobs_with_the_worker(tmp_path: Path, sqlite_template: Path) -> None:
    # `make run` = `yagona serve --with-worker`: a renewal that falls due is run within seconds.
    url = migrated(tmp_path / "run.db", sqlite_template)
    assert yagona(url, "demo", "load").returncode == 0
    engine = create_engine(url)
    with engine.begin() as connection:
        job = connection.execute(
            text("SELECT id FROM platform_job WHERE kind = 'lines.renewal' AND payload LIKE '%998901234500%'")
        ).scalar_one()
        connection.execute(
            text("UPDATE platform_job SET due_at = '2000-01-01 00:00:00.000000' WHERE id = :id"), {"id": job}
        )
    port = free_port()
    env = {**os.environ, "YAGONA_DATABASE__URL": url, "YAGONA_ENV": "test"}
    server = subprocess.Popen(
        [sys.executable, "-m", "yagona", "serve", "--with-worker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, status = time.monotonic() + 30, None
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                status = connection.execute(
                    text("SELECT status FROM platform_job WHERE id = :id"), {"id": job}
                ).scalar_one()
            if status == "done":
                break
            time.sleep(0.3)
        assert status == "done"
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    finally:
        server.terminate()
        # The worker thread stops with the server (uvicorn re-raises the SIGTERM it handled).
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
        engine.dispose()
