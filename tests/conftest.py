"""Shared fixtures: real databases built by the migrations, a simulated clock, a wired
platform — and, after every test that used the ledger, a verified ledger."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.services import scratch_postgres_database
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.ledger import service as ledger_service
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings

START = datetime(2026, 3, 15, 14, 0, tzinfo=TASHKENT)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    with scratch_postgres_database() as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


def _truncate_all(engine: Engine) -> None:
    with engine.begin() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
        ).scalars()
        names = ", ".join(f'"{name}"' for name in tables)
        if names:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "yagona.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_database")
    yield url
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, pool_size=20)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(env="test", database={"url": database_url}, staff_api_key="test-staff-key")  # type: ignore[arg-type]


@pytest.fixture
def container(settings: Settings, engine: Engine, clock: SimulatedClock) -> Iterator[Container]:
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    yield container
    # Money is never lost or created: whatever the test did, the ledger verifies after it.
    with container.uow() as uow:
        report = ledger_service.verify(uow)
    assert report.ok, f"ledger broken after the test: {report.problems}"
