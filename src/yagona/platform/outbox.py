"""Outbox upkeep: hand again to the bus what a dead process committed but never dispatched."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from yagona.platform.bus import EventBus, EventEnvelope
from yagona.platform.models import OutboxRow
from yagona.platform.uow import UnitOfWorkFactory


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
