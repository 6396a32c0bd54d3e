"""The de-identified store: outbox events exported, incrementally, to Parquet files
partitioned by day (Tashkent), each personal field replaced by its keyed pseudonym
(`privacy.service.pseudonym`, the one pseudonymisation; the key stays with the operator).

The export keeps its own cursor in the outbox's cursor table (`analytics.parquet`): a batch
of rows after it becomes one file per day, named by the batch's first and last seq, written
whole then renamed — a batch exported again (a crash before the cursor moved) rewrites the
same files. On PostgreSQL a missing seq (a transaction in flight) stops the batch until it
fills or is older than a minute.

The CRM's rows are about a customer (`subject_kind = customer`, the customer id's pseudonym);
`lines` holds the pseudonyms of the customer's lines when the row was exported, so a line's
features may count its owner's tickets and scores without the store naming anyone."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import insert, select

from yagona.analytics import rules
from yagona.analytics.service._base import events_dir, settings
from yagona.identity import service as identity
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import YagonaError
from yagona.platform.models import ConsumerCursor, OutboxRow
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy

CURSOR = "analytics.parquet"
GAP_GRACE = timedelta(seconds=60)


@cache
def schema() -> Any:
    """The store's columns (pyarrow is imported on use: a server seldom writes the store)."""
    import pyarrow as pa  # noqa: PLC0415

    return pa.schema(
        [
            ("seq", pa.int64()),
            ("occurred_at", pa.timestamp("us", tz="UTC")),
            ("event", pa.string()),
            ("subject", pa.string()),  # a pseudonym, never a phone or a contract
            ("subject_kind", pa.string()),
            ("kind", pa.string()),
            ("channel", pa.string()),
            ("plan", pa.string()),
            ("destination", pa.string()),
            ("amount_tiyin", pa.int64()),
            ("units", pa.int64()),
            ("category", pa.string()),
            ("queue", pa.string()),
            ("priority", pa.string()),
            ("lines", pa.list_(pa.string())),  # a customer row: their lines' pseudonyms
        ]
    )


@dataclass(frozen=True, slots=True)
class ExportBatch:
    passed: int  # outbox rows the cursor moved over
    written: int  # rows written to Parquet (the events the store keeps)
    files: int
    done: bool  # caught up (or waiting on a gap)


def export_batch(uow: UnitOfWork, *, limit: int | None = None) -> ExportBatch:
    """One batch of the outbox after the cursor into the store; the caller commits (the cursor
    moves only with its commit)."""
    size = limit or settings().export_batch
    cursor = _cursor(uow)
    query = select(OutboxRow).where(OutboxRow.seq > cursor.last_seq).order_by(OutboxRow.seq).limit(size)
    found = list(uow.session.scalars(query))
    postgres = uow.session.get_bind().dialect.name == "postgresql"
    now = uow.clock.now()
    taken: list[OutboxRow] = []
    last = cursor.last_seq
    for row in found:
        if postgres and row.seq != last + 1 and now - row.occurred_at < GAP_GRACE:
            break  # a seq before it may still commit: wait for it
        taken.append(row)
        last = row.seq
    by_day: dict[date, list[dict[str, object]]] = defaultdict(list)
    known: dict[tuple[str, str], str] = {}  # a batch names a subject many times: one HMAC each
    owned: dict[str, list[str]] = {}  # a customer's lines, once a batch
    for row in taken:
        flat = rules.flatten(row.name, row.payload)
        if flat is None:
            continue
        lines: list[str] | None = None
        if flat.subject_kind == "customer":
            lines = owned.get(flat.subject)
            if lines is None:
                lines = owned.setdefault(flat.subject, _lines_of(uow, flat.subject))
        by_day[row.occurred_at.astimezone(TASHKENT).date()].append(
            {
                "seq": row.seq,
                "occurred_at": row.occurred_at,
                "event": row.name,
                "subject": known.get((flat.subject, flat.subject_kind))
                or known.setdefault(
                    (flat.subject, flat.subject_kind), privacy.pseudonym(flat.subject, kind=flat.subject_kind)
                ),
                "subject_kind": flat.subject_kind,
                "kind": flat.kind,
                "channel": flat.channel,
                "plan": flat.plan,
                "destination": flat.destination,
                "amount_tiyin": flat.amount_tiyin,
                "units": flat.units,
                "category": flat.category,
                "queue": flat.queue,
                "priority": flat.priority,
                "lines": lines,
            }
        )
    if taken:
        for day, day_rows in by_day.items():
            _write(day, day_rows, first=taken[0].seq, last=taken[-1].seq)
        cursor.last_seq = last
        cursor.updated_at = now
    written = sum(len(day_rows) for day_rows in by_day.values())
    return ExportBatch(passed=len(taken), written=written, files=len(by_day), done=len(taken) < size)


def _lines_of(uow: UnitOfWork, customer_id: str) -> list[str]:
    """The pseudonyms of a customer's lines (none for a customer erased or unknown)."""
    try:
        phones = identity.get_customer(uow, customer_id=customer_id).phones
    except YagonaError:
        return []
    return [privacy.pseudonym(phone, kind="phone") for phone in phones]


def exported_up_to(uow: UnitOfWork) -> int:
    """The last outbox seq in the store."""
    return _cursor(uow).last_seq


def _write(day: date, day_rows: list[dict[str, object]], *, first: int, last: int) -> None:
    folder = events_dir() / f"day={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{first:012d}-{last:012d}.parquet"
    building = path.with_suffix(".tmp")
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    pq.write_table(pa.Table.from_pylist(day_rows, schema=schema()), building, compression="zstd")
    os.replace(building, path)


def _cursor(uow: UnitOfWork) -> ConsumerCursor:
    query = select(ConsumerCursor).where(ConsumerCursor.consumer == CURSOR).with_for_update()
    found = uow.session.scalars(query).one_or_none()
    if found is None:
        uow.session.execute(insert(ConsumerCursor).values(consumer=CURSOR, last_seq=0, updated_at=uow.clock.now()))
        found = uow.session.scalars(query).one()
    return found
