"""A round of wallet transfers on PostgreSQL in two round trips, on the session's bare psycopg
connection (no SQLAlchemy compiling or typing on the hot path): the wallets' locks and the
reads they guard in one pipeline (`lock_and_read`), then the ledger's call with the
receipts, the PIN resets and the events in one statement, the COMMIT sent with it when it
is the group's last (`post_and_insert_operations`). A failure is raised as SQLAlchemy raises
it, a `DBAPIError`, which group commit answers by running each order again alone."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from yagona.platform.db import driver_row, on_driver
from yagona.wallet.repository import (
    RECORDSET,
    TEXT_COLUMNS,
    TEXT_NAMES,
    OperationRecord,
    WalletRecord,
    amounts,
    forget_loaded_wallets,
    lock_wallet_records,
    replay_and_topups,
    replays_and_topups,
)
from yagona.wallet.schemas import TOPUP_KINDS, OperationStatus, Tier

# PostgreSQL: a round's lock and reads sent together (a pipeline: one round trip). Each
# statement takes its snapshot when it starts, so the reads see whatever the lock waited for.
_WALLET_NAMES = ", ".join(f.name for f in fields(WalletRecord))
_OPERATION_NAMES = ", ".join(f.name for f in fields(OperationRecord))
_LOCK_WALLETS_PG = f"SELECT {_WALLET_NAMES} FROM wallet_account WHERE phone = ANY(%(phones)s) ORDER BY phone FOR UPDATE"  # noqa: S608
_OPERATIONS_BY_KEYS_PG = f"SELECT {_OPERATION_NAMES} FROM wallet_operation WHERE idempotency_key = ANY(%(keys)s)"  # noqa: S608
_LIGHT_TOPUPS_PG = (  # = _TOPUPS_OF, for those of the payees that are Light (their lock is held)
    "SELECT payee_phone, sum(amount + commission) FROM wallet_operation WHERE payee_phone IN "
    "(SELECT phone FROM wallet_account WHERE phone = ANY(%(payees)s) AND tier = %(light)s) "
    "AND created_at >= %(since)s AND kind = ANY(%(kinds)s) AND status = ANY(%(statuses)s) GROUP BY payee_phone"
)
_TOPUP_KIND_VALUES = [k.value for k in TOPUP_KINDS]
_COUNTED_STATUSES = [OperationStatus.PENDING.value, OperationStatus.COMPLETED.value]


def lock_and_read(
    session: Session, phones: Iterable[str], *, keys: Iterable[str], payees: Iterable[str], since: datetime
) -> tuple[dict[str, WalletRecord], dict[str, OperationRecord], dict[str, int]]:
    """`lock_wallet_records(phones)`, then — the locks held — the operations already recorded
    under `keys` and the top-ups since `since` of those `payees` that are Light (Premium has
    no limits to check): one round trip on PostgreSQL (a libpq without pipelines, and
    SQLite: two or three)."""
    session.flush()  # what the ORM's autoflush did before its query: pending changes go first
    connection = session.connection()
    wanted, keys, payees = sorted(set(phones)), sorted(set(keys)), sorted(set(payees))
    dbapi = connection.dialect.loaded_dbapi
    if connection.dialect.name != "postgresql" or not dbapi.Pipeline.is_supported():  # libpq 14+ pipelines
        wallets = lock_wallet_records(session, wanted)
        light = [p for p in payees if p in wallets and wallets[p].tier == Tier.LIGHT.value]
        if len(keys) == 1 and len(light) <= 1:  # the replay row beside the 30-day sum
            payee = light[0] if light else None
            first, total = replay_and_topups(session, keys[0], payee=payee, since=since if payee else None)
            return wallets, ({keys[0]: first} if first is not None else {}), ({payee: total} if payee else {})
        return wallets, *replays_and_topups(session, keys, payees=light, since=since)
    sums = {"payees": payees, "light": Tier.LIGHT.value, "since": since}
    sums |= {"kinds": _TOPUP_KIND_VALUES, "statuses": _COUNTED_STATUSES}
    with on_driver(connection, _LOCK_WALLETS_PG, {"phones": wanted}) as driver:
        with driver.pipeline():
            locking = driver.execute(_LOCK_WALLETS_PG, {"phones": wanted})
            # planned for its keys each time: its prepared (generic) plan ran ~10x slower here
            reading = driver.execute(_OPERATIONS_BY_KEYS_PG, {"keys": keys}, prepare=False)
            summing = driver.execute(_LIGHT_TOPUPS_PG, sums) if payees else None
        wallets = {row[0]: WalletRecord(*_utc(row)) for row in locking.fetchall()}
        existing = [OperationRecord(*_utc(row)) for row in reading.fetchall()]
        totals = {phone: int(total or 0) for phone, total in (summing.fetchall() if summing else [])}
    return wallets, {record.idempotency_key: record for record in existing}, totals


def _utc(row: Iterable[Any]) -> list[Any]:
    """A row read on the bare driver as `UtcDateTime` reads it: every instant in UTC."""
    return [value.astimezone(UTC) if isinstance(value, datetime) else value for value in row]


# PostgreSQL: a round's postings (one `ledger_post_group` call, its signature as
# ledger.posting's), then — in the same statement — for the postings the ledger accepted
# (`i`: the posting's place in the call), their receipts, their wallets' activity and their
# events' outbox rows, whose payload's `receipt` is the receipt's number (`rules.receipt_number`
# of its `seq`). A refused posting wrote nothing in the ledger, and gets no receipt, no event.
_EVENTRECORDSET = (
    "event_id text, event_name text, payload jsonb, occurred_at timestamptz, dispatched_at timestamptz, "
    "published_at timestamptz"
)
_RECEIPT_NUMBER_SQL = (  # = rules.receipt_number: the prefix, the seq in at least 10 digits
    "CAST(%(receipt_prefix)s AS text) || lpad(CAST(i.seq AS text), greatest(10, length(CAST(i.seq AS text))), '0')"
)
_POST_AND_INSERT_OPERATIONS_PG = (  # on the driver (psycopg's placeholders); the names are the model's columns
    "WITH posted AS MATERIALIZED "  # noqa: S608
    "(SELECT ledger_post_group(%(now)s, %(salt)s, CAST(%(postings)s AS jsonb)) AS answers), "
    f"accepted AS MATERIALIZED (SELECT r.* FROM posted, jsonb_to_recordset(CAST(%(rows)s AS jsonb)) AS r(i int, "
    f"{RECORDSET}, reset_pin boolean, new_pin_hash text, {_EVENTRECORDSET}) "
    "WHERE posted.answers -> r.i ->> 'refused' IS NULL), "
    # the wallets' activity, and a right PIN's reset of its payer's count (and stale hash)
    "touched AS (UPDATE wallet_account AS w SET last_activity_at = %(at)s, "
    "pin_failures = CASE WHEN t.reset_pin THEN 0 ELSE w.pin_failures END, "
    "pin_hash = coalesce(t.new_pin_hash, w.pin_hash) FROM (SELECT phone, bool_or(reset_pin) AS reset_pin, "
    "max(new_pin_hash) AS new_pin_hash FROM (SELECT payer_phone AS phone, reset_pin, new_pin_hash FROM accepted "
    "UNION ALL SELECT payee_phone, false, NULL FROM accepted) AS both_sides GROUP BY phone) AS t "
    "WHERE w.phone = t.phone), "
    f"inserted AS (INSERT INTO wallet_operation ({TEXT_NAMES}, amount, commission, "
    f"created_at, completed_at) SELECT {TEXT_NAMES}, amount, commission, %(at)s, %(at)s "
    "FROM accepted ORDER BY i RETURNING id, seq), "
    "outboxed AS (INSERT INTO platform_outbox (event_id, name, occurred_at, payload, dispatched_at, published_at) "
    "SELECT a.event_id, a.event_name, a.occurred_at, "
    f"CAST(jsonb_set(a.payload, '{{receipt}}', to_jsonb({_RECEIPT_NUMBER_SQL})) AS json), "
    "a.dispatched_at, a.published_at FROM accepted AS a JOIN inserted AS i ON i.id = a.id "
    "WHERE a.event_id IS NOT NULL ORDER BY a.i) "
    # Every posting the ledger did not refuse is in `accepted`, and every row of `accepted`
    # gets its receipt in `inserted`: one set drives both, in this one statement.
    "SELECT (SELECT answers FROM posted), (SELECT jsonb_object_agg(id, seq) FROM inserted)"
)


def post_and_insert_operations(
    session: Session,
    *,
    now: datetime,
    salt: int,
    postings: str,
    rows: list[dict[str, Any]],
    events: list[dict[str, Any] | None],
    receipt_prefix: str,
    at: datetime,
    resets: dict[str, str | None],
    commit: bool = False,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """PostgreSQL: `ledger_post_group(now, salt, postings)` and, in the same round trip, for
    the postings it accepted, their receipts `rows` (completed at `at`; `rows[k]` belongs to
    the call's k-th posting), their wallets' `last_activity_at`, their payers' PIN resets
    (`resets`: phone → the new hash or None, as `verify_pin` leaves them), and the outbox rows
    `events[k]` (`UnitOfWork.event_row`; None: no row) with the receipt's number as the
    payload's `receipt`. The function's answers, and the `seq` of each receipt written, by
    its id. `commit`: the transaction's COMMIT goes with it, in the same round trip (the
    caller's last write: its unit of work's commit then has nothing left to send)."""
    session.flush()  # rows added before go first (the outbox keeps the order of events)
    encoded = json.dumps(
        [
            {"i": k} | {c.name: r[c.name] for c in TEXT_COLUMNS} | amounts(r) | _reset(r, resets) | _event(e)
            for k, (r, e) in enumerate(zip(rows, events, strict=True))
        ]
    )
    params = {"now": now, "salt": salt, "postings": postings, "rows": encoded, "at": at}
    params["receipt_prefix"] = receipt_prefix
    answers, seqs = driver_row(session, _POST_AND_INSERT_OPERATIONS_PG, params, commit=commit)
    written = {op_id: int(seq) for op_id, seq in (seqs or {}).items()}
    forget_loaded_wallets(
        session, {p for r in rows if r["id"] in written for p in (r["payer_phone"], r["payee_phone"]) if p}
    )
    return answers, written


def _reset(row: dict[str, Any], resets: dict[str, str | None]) -> dict[str, Any]:
    payer = row["payer_phone"]
    return {"reset_pin": payer in resets, "new_pin_hash": resets.get(payer)}


def _event(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {}
    times = ("occurred_at", "dispatched_at", "published_at")
    stamps = {k: row[k].isoformat() if row[k] is not None else None for k in times}
    return {"event_id": row["event_id"], "event_name": row["name"], "payload": row["payload"]} | stamps
