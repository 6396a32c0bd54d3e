"""What the analytics services share: the settings the composition root hands in, the store's
paths, a DuckDB connection over the Parquet files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yagona.analytics.settings import AnalyticsSettings

if TYPE_CHECKING:  # DuckDB is imported on use: a server or a CLI command seldom needs it
    import duckdb


@dataclass
class _Configured:
    settings: AnalyticsSettings


_current = _Configured(AnalyticsSettings())


def configure(settings: AnalyticsSettings) -> None:
    """Called once by the composition root (tests call it with a temporary directory)."""
    _current.settings = settings


def settings() -> AnalyticsSettings:
    return _current.settings


def events_dir() -> Path:
    return _current.settings.directory / "events"


def model_path() -> Path:
    return _current.settings.directory / "models" / "churn.joblib"


def has_events() -> bool:
    return any(events_dir().glob("day=*/*.parquet"))


EVENTS_VIEW = "events"
# No row, every column: the view has them all even over files written before one was added.
_NONE = (
    "SELECT * FROM (VALUES (0::BIGINT, NULL::TIMESTAMPTZ, '', '', '', '', '', '', '', 0::BIGINT, 0::BIGINT, '', '',"
    " '', NULL::VARCHAR[], NULL::DATE)) t(seq, occurred_at, event, subject, subject_kind, kind, channel, plan,"
    " destination, amount_tiyin, units, category, queue, priority, lines, day) WHERE false"
)


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the view `events` over every Parquet file of the store (an
    empty view of the right columns when there is none yet). In a store begun before the
    care columns (its first file lacks them) the files are read by name: a missing column is
    NULL."""
    import duckdb  # noqa: PLC0415 - on use: most processes never query the store

    con = duckdb.connect(":memory:")
    con.execute("SET threads TO 2")
    first = min(events_dir().glob("day=*/*.parquet"), default=None)
    if first is not None:
        pattern = str(events_dir() / "day=*" / "*.parquet")
        # A store begun before the care columns mixes two schemas: read by name (8 % dearer).
        [(full,)] = con.execute("SELECT count(*) = 4 FROM parquet_schema(?) WHERE name IN"
                                " ('category', 'queue', 'priority', 'lines')", [str(first)]).fetchall()  # fmt: skip
        by_name = "" if full else ", union_by_name = true"
        con.execute(
            f"CREATE VIEW {EVENTS_VIEW} AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true,"  # noqa: S608
            f" hive_types = {{'day': DATE}}{by_name}) UNION ALL BY NAME {_NONE}"
        )
    else:
        con.execute(f"CREATE VIEW {EVENTS_VIEW} AS {_NONE}")
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, dict(params or {}))
    names = [column[0] for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
