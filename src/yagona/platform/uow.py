"""The unit of work: one per request, job or command. Services never commit.

Events added during the unit go to the outbox in the same transaction; they are
handed to the in-process bus only after commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, cast

from sqlalchemy import Engine, Table, insert, update
from sqlalchemy.orm import Session, sessionmaker

from yagona.kernel.clock import Clock
from yagona.kernel.errors import YagonaError
from yagona.kernel.events import DomainEvent
from yagona.platform.bus import EventBus, EventEnvelope
from yagona.platform.models import OutboxRow
from yagona.platform.settings import LimitSettings

_INSERT_OUTBOX = insert(cast(Table, OutboxRow.__table__))


class UnitOfWork:
    def __init__(
        self, session: Session, *, clock: Clock, bus: EventBus, limits: LimitSettings, publishes_externally: bool
    ) -> None:
        self.session = session
        self.clock = clock
        self.limits = limits
        self._bus = bus
        self._publishes_externally = publishes_externally
        self.bus = bus
        self.publishes_externally = publishes_externally
        self._pending: list[EventEnvelope] = []

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, YagonaError) and exc.persist:
            self.commit()  # the refusal's own record (see YagonaError.persist), nothing else
        # Whatever was not committed is dropped; after a commit this is a no-op.
        self.session.rollback()
        self.session.close()

    def add_event(self, event: DomainEvent) -> None:
        """Write `event` to the outbox; it leaves after commit."""
        row = self._outbox_row(event)
        if row is not None:
            self.session.add(OutboxRow(**row))

    def add_events(self, events: Iterable[DomainEvent]) -> None:
        """`add_event` for many events at once: their outbox rows in one Core statement, sent
        now (inside the current savepoint, if any), with no ORM objects to flush."""
        rows = [row for row in map(self._outbox_row, events) if row is not None]
        if rows:
            self.session.flush()  # rows added before go first: the outbox keeps the order of events
            self.session.connection().execute(_INSERT_OUTBOX, rows)

    def _outbox_row(self, event: DomainEvent) -> dict[str, Any] | None:
        """The outbox row of `event` (None: nobody would read one); its delivery after commit."""
        envelope, row = self._row(event)
        if row is not None and row["dispatched_at"] is None:
            self._pending.append(envelope)
        return row

    def event_row(self, event: DomainEvent) -> dict[str, Any] | None:
        """The outbox row `add_event` writes for `event` (None: it writes none), for a caller
        that writes the row itself, in this transaction, and then hands the event (as
        written) to `deliver_after_commit`."""
        return self._row(event)[1]

    def _row(self, event: DomainEvent) -> tuple[EventEnvelope, dict[str, Any] | None]:
        needs_dispatch = self._bus.has_consumers(event.name)
        envelope = EventEnvelope(event.event_id, event.name, event.occurred_at, event.payload())
        if not (
            needs_dispatch or self._publishes_externally or self._bus.defers(envelope) or self._bus.keeps(event.name)
        ):
            # nobody consumes it, here, later (the drain), on a bus or from the table: a row would only grow it
            return envelope, None
        now = self.clock.now()
        return envelope, {
            "event_id": envelope.event_id,
            "name": envelope.name,
            "occurred_at": envelope.occurred_at,
            "payload": envelope.payload,
            "dispatched_at": None if needs_dispatch else now,
            "published_at": None if self._publishes_externally else now,
        }

    def deliver_after_commit(self, event: DomainEvent) -> None:
        """`event`, whose outbox row is written (`event_row`), goes to the consumers that run
        at commit once this unit of work commits, as `add_event`'s."""
        if self._bus.has_consumers(event.name):
            self._pending.append(EventEnvelope(event.event_id, event.name, event.occurred_at, event.payload()))

    @property
    def dispatches_pending(self) -> bool:
        """Events written that the bus's at-commit handlers wait for (they run after commit)."""
        return bool(self._pending)

    def commit(self) -> None:
        self.session.commit()
        pending, self._pending = self._pending, []
        delivered = [envelope.event_id for envelope in pending if self._bus.dispatch(envelope)]
        if delivered:
            self.session.execute(
                update(OutboxRow).where(OutboxRow.event_id.in_(delivered)).values(dispatched_at=self.clock.now())
            )
            self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
        self._pending = []


UnitOfWorkFactory = Callable[[], UnitOfWork]


def unit_of_work_factory(
    engine: Engine, *, clock: Clock, bus: EventBus, limits: LimitSettings, publishes_externally: bool
) -> UnitOfWorkFactory:
    sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)

    def make() -> UnitOfWork:
        return UnitOfWork(sessions(), clock=clock, bus=bus, limits=limits, publishes_externally=publishes_externally)

    return make
