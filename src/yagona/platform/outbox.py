"""Outbox upkeep: hand again to the bus what a dead process committed but never dispatched;
drain the outbox into the deferred consumers, each behind its own cursor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

import structlog
from sqlalchemy import BindParameter, Row, Select, Table, bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from yagona.platform.bus import DeferredConsumer, EventBus, EventEnvelope
from yagona.platform.models import ConsumerCursor, OutboxRow
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger(__name__)


def redispatch_stale(uow_factory: UnitOfWorkFactory, bus: EventBus, *, older_than_s: float, limit: int) -> int:
    """Dispatch rows still undelivered `older_than_s` after they were written; returns how many."""
    # Read, then dispatch outside any transaction: consumers open their own units of work,
    # and on SQLite a held write transaction would block them.
    with uow_factory() as uow:
        cutoff = uow.clock.now() - timedelta(seconds=older_than_s)
        envelopes = [
            EventEnvelope(row.event_id, row.name, row.occurred_at, row.payload)
            for row in uow.session.scalars(
                select(OutboxRow)
                .where(OutboxRow.dispatched_at.is_(None), OutboxRow.occurred_at <= cutoff)
                .order_by(OutboxRow.seq)
                .limit(limit)
            )
        ]
    delivered = [envelope.event_id for envelope in envelopes if bus.dispatch(envelope)]
    if delivered:
        with uow_factory() as uow:
            uow.session.execute(
                update(OutboxRow).where(OutboxRow.event_id.in_(delivered)).values(dispatched_at=uow.clock.now())
            )
            uow.commit()
    return len(delivered)


# --- deferred consumers ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrainReport:
    consumer: str
    handled: int  # events handed to the consumer
    passed: int  # outbox rows the cursor moved over (the consumer's and everybody else's)
    failed: bool = False  # an event failed: the batch stopped before it, retried next time
    waiting: bool = False  # a missing seq (a transaction still in flight) held the batch


class _EventFailedError(Exception):
    def __init__(self, consumer: str, seq: int) -> None:
        super().__init__(consumer, seq)
        self.consumer = consumer
        self.seq = seq


def drain_deferred(
    uow_factory: UnitOfWorkFactory, bus: EventBus, *, batch: int, gap_grace_s: float, max_batches: int = 1_000
) -> int:
    """Hand each deferred consumer what the outbox holds after its cursor, batch after batch,
    until it is caught up (or stopped by a failure or a gap); returns the events handled.

    The consumers take their turns (in name order, each until caught up, as `drain_batch`
    would) in one unit of work, committed only where it has to be: after a full batch (more
    rows to come), when a batch left events for the bus's at-commit handlers (they run
    before the next consumer's batch, as before), and at the end. A drain after a request
    that wrote a row or two commits once, not once per consumer. A failing event rolls that
    unit back, and the drain starts again with the consumer stopped before the event: what
    came before it commits, the event is handed again next time (never skipped)."""
    drain = _Drain(uow_factory, bus.deferred_consumers(), batch=batch, gap_grace_s=gap_grace_s, max_batches=max_batches)
    while True:
        try:
            drain.run()
        except _EventFailedError as failed:
            drain.failed[failed.consumer] = failed.seq
        else:
            return drain.handled


class _Drain:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        consumers: list[DeferredConsumer],
        *,
        batch: int,
        gap_grace_s: float,
        max_batches: int,
    ) -> None:
        self.uow_factory, self.consumers = uow_factory, consumers
        self.batch, self.gap_grace_s, self.max_batches = batch, gap_grace_s, max_batches
        self.handled = 0  # committed
        self.failed: dict[str, int] = {}  # consumer → the seq of its failing event (stop before it)

    def run(self) -> None:
        with self.uow_factory() as uow:
            reads = _Reads(uow, [consumer.name for consumer in self.consumers])
            handled = 0  # in this transaction
            for consumer in self.consumers:
                before = self.failed.get(consumer.name)
                for _ in range(self.max_batches):
                    report = _batch_in(reads, consumer, batch=self.batch, gap_grace_s=self.gap_grace_s, before=before)
                    handled += report.handled
                    more = not (before is not None or report.waiting or report.passed < self.batch)
                    if more or uow.dispatches_pending:
                        reads.commit()
                        self.handled, handled = self.handled + handled, 0
                    if not more:
                        break
            reads.commit()
            self.handled += handled


def drain_batch(
    uow_factory: UnitOfWorkFactory, consumer: DeferredConsumer, *, batch: int, gap_grace_s: float
) -> DrainReport:
    """One batch, one unit of work: the rows after the consumer's cursor, in outbox order,
    each through the consumer's handler (which marks it with `consume_once`), and the cursor
    moved past them. A handler that fails stops the batch there: what came before it commits,
    the failing event is handed again next time (logged each time, never skipped)."""
    try:
        return _batch(uow_factory, consumer, batch=batch, gap_grace_s=gap_grace_s, before=None)
    except _EventFailedError as failed:
        report = _batch(uow_factory, consumer, batch=batch, gap_grace_s=gap_grace_s, before=failed.seq)
        return DrainReport(consumer.name, report.handled, report.passed, failed=True, waiting=report.waiting)


def _batch(
    uow_factory: UnitOfWorkFactory, consumer: DeferredConsumer, *, batch: int, gap_grace_s: float, before: int | None
) -> DrainReport:
    with uow_factory() as uow:
        reads = _Reads(uow, [consumer.name])
        report = _batch_in(reads, consumer, batch=batch, gap_grace_s=gap_grace_s, before=before)
        if report.passed or report.waiting:  # caught up: nothing to write (a drain runs often)
            reads.commit()
    return report


# The drain's statements, built once: a drain runs after every sandbox step and in every
# worker pass, mostly to move the cursors over a row or two (Core, not the ORM's objects).
_CURSORS = cast(Table, ConsumerCursor.__table__)
_OUTBOX = cast(Table, OutboxRow.__table__)


@cache
def _read_cursors(count: int) -> Select[*tuple[Any, ...]]:
    """The cursors of `count` consumers (:c0, :c1…), locked in one order by every drain."""
    names: list[BindParameter[str]] = [bindparam(f"c{n}") for n in range(count)]
    return (
        select(_CURSORS.c.consumer, _CURSORS.c.last_seq, _CURSORS.c.gap_seq, _CURSORS.c.gap_seen_at)
        .where(_CURSORS.c.consumer.in_(names))
        .order_by(_CURSORS.c.consumer)
        .with_for_update()
    )


_MOVE_CURSOR = (
    update(_CURSORS)
    .where(_CURSORS.c.consumer == bindparam("name"))
    .values(
        last_seq=bindparam("to_seq"),
        gap_seq=bindparam("to_gap_seq"),
        gap_seen_at=bindparam("to_gap_seen_at"),
        updated_at=bindparam("now"),
    )
)
_AFTER = (
    select(_OUTBOX.c.seq, _OUTBOX.c.event_id, _OUTBOX.c.name, _OUTBOX.c.occurred_at, _OUTBOX.c.payload)
    .where(_OUTBOX.c.seq > bindparam("after"), _OUTBOX.c.seq < bindparam("before"))
    .order_by(_OUTBOX.c.seq)
    .limit(bindparam("batch"))
)


@dataclass(slots=True)
class _Cursor:
    """A consumer's row of `platform_consumer_cursor`, locked for the batch."""

    consumer: str
    last_seq: int
    gap_seq: int | None
    gap_seen_at: datetime | None


class _Reads:
    """What a drain's transaction read and moved, so that it reads and writes it once: every
    consumer's cursor (one statement, locked), the last rows read — the next consumer at the
    same cursor is handed the same rows unless a handler ran since (it may have written some)
    —, and the cursors moved (one statement at commit). Forgotten at commit."""

    def __init__(self, uow: UnitOfWork, names: list[str]) -> None:
        self.uow, self.names = uow, names
        self._cursors: dict[str, _Cursor] | None = None
        self._rows: tuple[tuple[int, int, int], Sequence[Row[*tuple[Any, ...]]]] | None = None
        self._moved: dict[str, _Cursor] = {}

    def commit(self) -> None:
        if self._moved:
            now = self.uow.clock.now()
            moves = [
                {
                    "name": c.consumer,
                    "to_seq": c.last_seq,
                    "to_gap_seq": c.gap_seq,
                    "to_gap_seen_at": c.gap_seen_at,
                    "now": now,
                }
                for c in self._moved.values()
            ]
            self.uow.session.connection().execute(_MOVE_CURSOR, moves)
        self.uow.commit()
        self._cursors = self._rows = None
        self._moved = {}

    def handled(self) -> None:
        self._rows = None

    def cursor(self, name: str) -> _Cursor:
        """The consumer's cursor, locked for the batch (two drains of one consumer take turns);
        a new consumer starts at the outbox's beginning (`consume_once` absorbs what it saw)."""
        if self._cursors is None:
            self._cursors = self._read_cursors()
        found = self._cursors.get(name)
        if found is None:
            try:
                with self.uow.session.begin_nested():
                    self.uow.session.execute(
                        insert(ConsumerCursor).values(consumer=name, last_seq=0, updated_at=self.uow.clock.now())
                    )
            except IntegrityError:
                pass  # another drain created it first
            found = self._cursors[name] = self._read_cursors()[name]
        return found

    def _read_cursors(self) -> dict[str, _Cursor]:
        names = {f"c{n}": name for n, name in enumerate(self.names)}
        rows = self.uow.session.connection().execute(_read_cursors(len(names)), names)
        return {row.consumer: _Cursor(row.consumer, row.last_seq, row.gap_seq, row.gap_seen_at) for row in rows}

    def rows(self, *, after: int, before: int | None, batch: int) -> Sequence[Row[*tuple[Any, ...]]]:
        """The outbox rows after `after` (and before `before`), at most `batch`, in order."""
        key = (after, NO_END if before is None else before, batch)
        if self._rows is not None and self._rows[0] == key:
            return self._rows[1]
        self.uow.session.flush()  # rows the handlers of this unit of work added are read too
        found = self.uow.session.connection().execute(_AFTER, {"after": after, "before": key[1], "batch": batch}).all()
        self._rows = (key, found)
        return found

    def move(self, cursor: _Cursor) -> None:
        self._moved[cursor.consumer] = cursor


NO_END = 2**63 - 1  # past every seq (a BIGINT)


def _batch_in(
    reads: _Reads, consumer: DeferredConsumer, *, batch: int, gap_grace_s: float, before: int | None
) -> DrainReport:
    """The batch in the unit of work of `reads`, not committed; a failing handler rolls it
    back and raises."""
    uow = reads.uow
    cursor = reads.cursor(consumer.name)
    rows = reads.rows(after=cursor.last_seq, before=before, batch=batch)
    if not rows:
        return DrainReport(consumer.name, 0, 0)
    handled = passed = 0
    waiting = False
    for row in rows:
        if row.seq != cursor.last_seq + 1 and not _gap_closed(uow, cursor, row.seq, gap_grace_s):
            waiting = True
            break
        envelope = EventEnvelope(row.event_id, row.name, row.occurred_at, row.payload)
        if row.name in consumer.events and consumer.wants(envelope):
            reads.handled()
            try:
                consumer.handler(uow, envelope)
            except Exception as error:  # the batch stops here; retried next time
                uow.rollback()
                log.exception(
                    "deferred_event_failed", consumer=consumer.name, event_name=row.name, event_id=row.event_id
                )
                raise _EventFailedError(consumer.name, row.seq) from error
            handled += 1
        cursor.last_seq, cursor.gap_seq, cursor.gap_seen_at = row.seq, None, None
        passed += 1
    reads.move(cursor)
    return DrainReport(consumer.name, handled, passed, waiting=waiting)


def _gap_closed(uow: UnitOfWork, cursor: _Cursor, seq: int, grace_s: float) -> bool:
    """Whether the seqs between the cursor and `seq` are gone for good. SQLite has one writer
    and reuses a rolled-back row's seq: a missing one never comes. On PostgreSQL a seq is
    taken at insert and shows at commit: the gap is final when no other transaction of this
    database is writing (checked before the gap is read again), or after `grace_s`."""
    first = cursor.last_seq + 1
    if uow.session.get_bind().dialect.name != "postgresql":
        return True
    now = uow.clock.now()
    waited = now - cursor.gap_seen_at if cursor.gap_seq == first and cursor.gap_seen_at is not None else None
    if waited is not None and waited >= timedelta(seconds=grace_s):
        log.warning("outbox_gap_skipped", consumer=cursor.consumer, first=first, next=seq)
        return True
    writers = uow.session.execute(
        text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        )
    ).scalar_one()
    if writers == 0:
        filled = uow.session.execute(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.seq >= first, OutboxRow.seq < seq)
        ).scalar_one()
        return filled == 0  # filled meanwhile: the next batch reads it in order
    if cursor.gap_seq != first:
        cursor.gap_seq, cursor.gap_seen_at = first, now
    return False
