"""Outbox upkeep: hand again to the bus what a dead process committed but never dispatched;
drain the outbox into the deferred consumers, each behind its own cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import func, insert, select, text, update
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
    def __init__(self, seq: int) -> None:
        super().__init__(seq)
        self.seq = seq


def drain_deferred(
    uow_factory: UnitOfWorkFactory, bus: EventBus, *, batch: int, gap_grace_s: float, max_batches: int = 1_000
) -> int:
    """Hand each deferred consumer what the outbox holds after its cursor, batch after batch,
    until it is caught up (or stopped by a failure or a gap); returns the events handled."""
    handled = 0
    for consumer in bus.deferred_consumers():
        for _ in range(max_batches):
            report = drain_batch(uow_factory, consumer, batch=batch, gap_grace_s=gap_grace_s)
            handled += report.handled
            if report.failed or report.waiting or report.passed < batch:
                break
    return handled


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
        cursor = _cursor(uow, consumer.name)
        query = select(OutboxRow).where(OutboxRow.seq > cursor.last_seq).order_by(OutboxRow.seq).limit(batch)
        if before is not None:
            query = query.where(OutboxRow.seq < before)
        rows = list(uow.session.scalars(query))
        if not rows:  # caught up: nothing to write (a drain runs after every sandbox step)
            return DrainReport(consumer.name, 0, 0)
        handled = passed = 0
        waiting = False
        for row in rows:
            if row.seq != cursor.last_seq + 1 and not _gap_closed(uow, cursor, row.seq, gap_grace_s):
                waiting = True
                break
            envelope = EventEnvelope(row.event_id, row.name, row.occurred_at, row.payload)
            if row.name in consumer.events and consumer.wants(envelope):
                try:
                    consumer.handler(uow, envelope)
                except Exception as error:  # the batch stops here; retried next time
                    uow.rollback()
                    log.exception(
                        "deferred_event_failed", consumer=consumer.name, event_name=row.name, event_id=row.event_id
                    )
                    raise _EventFailedError(row.seq) from error
                handled += 1
            cursor.last_seq, cursor.gap_seq, cursor.gap_seen_at = row.seq, None, None
            passed += 1
        cursor.updated_at = uow.clock.now()
        uow.commit()
    return DrainReport(consumer.name, handled, passed, waiting=waiting)


def _cursor(uow: UnitOfWork, consumer: str) -> ConsumerCursor:
    """The consumer's cursor, locked for the batch (two drains of one consumer take turns);
    a new consumer starts at the outbox's beginning (`consume_once` absorbs what it saw)."""
    query = select(ConsumerCursor).where(ConsumerCursor.consumer == consumer).with_for_update()
    found = uow.session.scalars(query).one_or_none()
    if found is not None:
        return found
    try:
        with uow.session.begin_nested():
            uow.session.execute(
                insert(ConsumerCursor).values(consumer=consumer, last_seq=0, updated_at=uow.clock.now())
            )
    except IntegrityError:
        pass  # another drain created it first
    return uow.session.scalars(query.execution_options(populate_existing=True)).one()


def _gap_closed(uow: UnitOfWork, cursor: ConsumerCursor, seq: int, grace_s: float) -> bool:
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
