"""The store reads the outbox table after the fact; without an external bus (NATS) the outbox
keeps only the events someone consumes. The CRM's events the store keeps have no other
consumer here, so analytics declares itself a deferred one: the outbox keeps their rows (no
work on the producer's path beyond the row), and its handler does nothing when the drain hands
them over — the export (`service.export_batch`) reads the rows by its own cursor. The lines'
and the wallet's events are consumed already (the bonus programme, the timeline, reminders)."""

from __future__ import annotations

from yagona.analytics import rules
from yagona.platform.bus import EventBus, EventEnvelope
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

CONSUMER = "analytics.store"


def _kept(_uow: UnitOfWork, _envelope: EventEnvelope) -> None:
    """Nothing to do: the row stays in the outbox for the export."""


def subscribe(bus: EventBus, uow_factory: UnitOfWorkFactory) -> None:
    bus.subscribe_deferred([name for name in rules.FLATTEN if name.startswith("crm.")], CONSUMER, _kept, uow_factory)
