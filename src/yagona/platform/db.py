"""Database engines (SQLite and PostgreSQL) and the shared metadata.

SQLite: WAL, foreign keys, and SQLAlchemy's documented pysqlite fix — the driver's
own transaction handling is switched off and we emit BEGIN ourselves, so savepoints
and transactional DDL work. `BEGIN IMMEDIATE` takes the write lock up front, which
serialises writers instead of failing them on lock upgrade.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Dialect, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC on every database.

    SQLite keeps no offset: without this, an instant given in Tashkent time would be
    stored as its wall clock and compare wrongly with one given in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_url(url: str) -> str:
    """Pin the driver: PostgreSQL always goes through psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(
    url: str, *, pool_size: int = 10, busy_timeout_s: float = 30.0, echo: bool = False, pre_ping: bool = True
) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_s=busy_timeout_s, echo=echo)
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=pre_ping,
        echo=echo,
        isolation_level="READ COMMITTED",
    )


def _sqlite_engine(url: str, *, busy_timeout_s: float, echo: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_s},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the pysqlite fix: we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    # SQLite has one writer at a time. Threads of this process queue on a lock instead of
    # on SQLite's busy handler, which polls with sleeps of up to 100 ms; other processes
    # still wait through busy_timeout.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writer.acquire()
        connection.info["yagona_writer"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    def _release(connection: Any) -> None:
        if connection.info.pop("yagona_writer", False):
            writer.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        # A connection returned without commit or rollback must not keep the lock.
        if record.info.pop("yagona_writer", False):
            writer.release()

    return engine


# --- a hot statement on the bare driver (PostgreSQL) -------------------------------------


def pipelines(session: Session) -> bool:
    """The session is on PostgreSQL through a libpq with pipelines (14+): statements sent
    together on its bare psycopg connection (`on_driver`) take one round trip."""
    dialect = session.get_bind().dialect
    return dialect.name == "postgresql" and bool(dialect.loaded_dbapi.Pipeline.is_supported())


@contextmanager
def on_driver(connection: Connection, sql: str, params: Mapping[str, Any]) -> Iterator[Any]:
    """The connection's psycopg connection, for a hot path without SQLAlchemy's compiling
    and typing; a driver error inside is raised as SQLAlchemy raises it for `sql` (a
    `DBAPIError`, its connection marked invalid when it broke: group commit's retry)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield driver
    except dbapi.Error as error:
        raise DBAPIError.instance(
            sql, dict(params), error, dbapi.Error, dialect=connection.dialect,
            connection_invalidated=bool(driver.broken),
        ) from error  # fmt: skip


def driver_row(session: Session, sql: str, params: Mapping[str, Any], *, commit: bool) -> tuple[Any, ...]:
    """One statement's one row on the session's psycopg connection (`on_driver`); with
    `commit`, the transaction's COMMIT in the same round trip (a pipeline): the caller's
    own commit then has nothing left to send (psycopg sends none on an idle connection)."""
    with on_driver(session.connection(), sql, params) as driver:
        if commit:
            with driver.pipeline():
                cursor = driver.execute(sql, params)
                driver.commit()
        else:
            cursor = driver.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None, "the statement answers one row"
    return tuple(row)
