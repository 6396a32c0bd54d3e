"""A group of usage records rated on PostgreSQL in two round trips, on the session's bare
psycopg connection (no SQLAlchemy compiling or typing on the hot path): the lines' locks and
the reads they guard in one pipeline (`lock_and_read`), then the ledger's call with the
group's bundles, usage rows and events in one statement, the COMMIT sent with it when it is
the transaction's last (`post_and_insert_usages`). A driver failure is raised as SQLAlchemy
raises it, a `DBAPIError`, which group commit answers by rating each record again alone.

The statements are those of the Core path in `repository` (SQLite's, and PostgreSQL's
without pipelines), written out: the same rows, in the same order."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yagona.lines.repository import BundleRecord, LineRecord
from yagona.platform.db import driver_row, on_driver


@dataclass(frozen=True, slots=True)
class StoredUsage:
    """What a replayed record is answered from: the fields `service.rating.usage_result` reads."""

    record_id: str
    kind: str
    destination: str
    units: int
    from_bundle: int
    charged: int
    request_hash: str


@dataclass(frozen=True, slots=True)
class RatingReads:
    """What rating a group reads before it rates: `ledger_rows` is the extra statement's answer."""

    seen: dict[str, StoredUsage]
    lines: dict[str, LineRecord]
    bundles: dict[int, list[BundleRecord]]
    ledger_rows: list[tuple[Any, ...]]


_USAGES_BY_RECORDS_PG = (
    "SELECT record_id, kind, destination, units, from_bundle, charged, request_hash "
    "FROM lines_usage WHERE record_id = ANY(%(record_ids)s)"
)
# = repository._LINES_FOR_RATING: locked in id order for the rest of the transaction.
_LOCK_LINES_PG = (
    "SELECT id, msisdn, plan_id, status, block_reason FROM lines_line "
    "WHERE msisdn = ANY(%(msisdns)s) ORDER BY id FOR UPDATE"
)
# = repository._LIVE_BUNDLES of the lines just locked (the plan's own first, then what expires first).
_LIVE_BUNDLES_PG = (
    "SELECT line_id, id, key, remaining FROM lines_bundle "
    "WHERE line_id IN (SELECT id FROM lines_line WHERE msisdn = ANY(%(msisdns)s)) "
    "AND (expires_at IS NULL OR expires_at > %(now)s) "
    "ORDER BY CASE WHEN origin = 'plan' THEN 0 ELSE 1 END, expires_at, id"
)


def lock_and_read(
    session: Session,
    record_ids: Iterable[str],
    msisdns: Iterable[str],
    now: datetime,
    *,
    ledger_sql: str,
    ledger_params: dict[str, Any],
) -> RatingReads:
    """`lines_for_rating` (the lock), `usage_rows`, `bundles_for_lines` and the ledger's
    statement (`ledger_sql`: the balances), sent together: one round trip. Each statement
    takes its snapshot when it starts, so the reads after the lock see what it waited for —
    the records a concurrent group on the same lines committed meanwhile are replays here."""
    session.flush()  # what the ORM's autoflush did before its query: pending changes go first
    wanted = sorted(set(msisdns))
    params = {"msisdns": wanted, "now": now}
    with on_driver(session.connection(), _LOCK_LINES_PG, params) as driver:
        with driver.pipeline():
            locking = driver.execute(_LOCK_LINES_PG, params)
            # planned for its ids each time: a prepared (generic) plan of a lookup by keys
            # ran ~10x slower in the wallet's same query
            reading = driver.execute(_USAGES_BY_RECORDS_PG, {"record_ids": sorted(set(record_ids))}, prepare=False)
            drawing = driver.execute(_LIVE_BUNDLES_PG, params)
            balancing = driver.execute(ledger_sql, ledger_params)
        seen = {row[0]: StoredUsage(*row) for row in reading.fetchall()}
        lines = {row[1]: LineRecord(*row) for row in locking.fetchall()}
        bundles: dict[int, list[BundleRecord]] = defaultdict(list)
        for line_id, bundle_id, key, remaining in drawing.fetchall():
            bundles[line_id].append(BundleRecord(bundle_id, key, remaining))
        ledger_rows = [tuple(row) for row in balancing.fetchall()]
    return RatingReads(seen, lines, bundles, ledger_rows)


# The group's one posting (a `ledger_post_group` call, its signature as ledger.posting's; or
# none, when nothing is charged) and — in the same statement, only if the ledger did not
# refuse it — what the bundles have left, the usage rows and the events' outbox rows, in the
# order rated. A refused posting wrote nothing in the ledger; the group then writes nothing.
_POSTED_PG = "SELECT ledger_post_group(%(now)s, %(salt)s, CAST(%(postings)s AS jsonb)) AS answers"
_NOTHING_POSTED_PG = "SELECT CAST(NULL AS jsonb) AS answers"
_WRITE_USAGES_PG = (
    "accepted AS MATERIALIZED (SELECT 1 AS yes FROM posted WHERE posted.answers -> 0 ->> 'refused' IS NULL), "
    # the ids again as an array: the planner takes a function's rows as 100 and would scan
    # every bundle to join them; by the array it looks up each bundle by its key
    "saved AS (UPDATE lines_bundle AS b SET remaining = r.rest FROM accepted, "
    "json_to_recordset(CAST(%(remaining)s AS json)) AS r(bundle_id bigint, rest bigint) "
    "WHERE b.id = ANY(%(bundle_ids)s) AND b.id = r.bundle_id), "
    "inserted AS (INSERT INTO lines_usage (record_id, line_id, kind, destination, quantity, units, from_bundle, "
    "charged, request_hash, rated_at) SELECT u.record_id, u.line_id, u.kind, u.destination, u.quantity, u.units, "
    "u.from_bundle, u.charged, u.request_hash, u.rated_at FROM accepted, json_to_recordset(CAST(%(usages)s AS json)) "
    "AS u(i int, record_id text, line_id bigint, kind text, destination text, quantity bigint, units bigint, "
    "from_bundle bigint, charged bigint, request_hash text, rated_at timestamptz) ORDER BY u.i RETURNING id), "
    # the payload as `json`, the text the encoder wrote: what SQLAlchemy's JSON type stores
    "outboxed AS (INSERT INTO platform_outbox (event_id, name, occurred_at, payload, dispatched_at, published_at) "
    "SELECT e.event_id, e.name, e.occurred_at, e.payload, e.dispatched_at, e.published_at "
    "FROM accepted, json_to_recordset(CAST(%(events)s AS json)) AS e(i int, event_id text, name text, "
    "occurred_at timestamptz, payload json, dispatched_at timestamptz, published_at timestamptz) ORDER BY e.i) "
    "SELECT (SELECT answers FROM posted), (SELECT count(*) FROM inserted)"
)
_POST_AND_INSERT_USAGES_PG = f"WITH posted AS MATERIALIZED ({_POSTED_PG}), {_WRITE_USAGES_PG}"
_INSERT_USAGES_PG = f"WITH posted AS MATERIALIZED ({_NOTHING_POSTED_PG}), {_WRITE_USAGES_PG}"
_TIMES = ("rated_at", "occurred_at", "dispatched_at", "published_at")


@dataclass(frozen=True, slots=True)
class GroupPosting:
    """The arguments of the group's `ledger_post_group` call (`ledger.posting.GroupCall`'s)."""

    now: datetime
    salt: int
    postings: str


def post_and_insert_usages(
    session: Session,
    *,
    posting: GroupPosting | None,
    remaining: dict[int, int],
    usages: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    commit: bool = False,
) -> tuple[list[dict[str, Any]] | None, int]:
    """PostgreSQL: the group's `posting` (None: nothing charged) and, in the same round trip,
    if the ledger accepted it, the bundles' `remaining` (id → what is left), the `usages`
    rows (`repository.insert_usages`'s values) and the outbox rows `events`
    (`UnitOfWork.event_row`'s), each in its order. The function's answers (None without a
    posting) and the number of usage rows written. `commit`: the transaction's COMMIT goes
    in the same round trip (the caller's last write)."""
    session.flush()  # rows added before go first (the outbox keeps the order of events)
    params: dict[str, Any] = {
        "remaining": json.dumps([{"bundle_id": i, "rest": left} for i, left in sorted(remaining.items())]),
        "bundle_ids": sorted(remaining),
        "usages": json.dumps([{"i": k} | _stamped(u) for k, u in enumerate(usages)]),
        "events": json.dumps([{"i": k} | _stamped(e) for k, e in enumerate(events)]),
    }
    if posting is None:
        sql = _INSERT_USAGES_PG
    else:
        sql = _POST_AND_INSERT_USAGES_PG
        params |= {"now": posting.now, "salt": posting.salt, "postings": posting.postings}
    answers, written = driver_row(session, sql, params, commit=commit)
    return answers, int(written)


def _stamped(row: dict[str, Any]) -> dict[str, Any]:
    """A row's instants as ISO 8601 with their offset (JSON has no instants)."""
    return {k: v.isoformat() if k in _TIMES and v is not None else v for k, v in row.items()}
