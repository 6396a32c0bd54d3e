"""The store reads the outbox table after the fact; without an external bus (NATS) the outbox
keeps only the events someone consumes. The CRM's events the store keeps have no other
consumer here, so analytics declares itself one: its handler does nothing at commit — the
export (`service.export_batch`) reads the rows later. The lines' and the wallet's events are
consumed already (the bonus programme, the timeline, the reminders)."""

from __future__ import annotations

from yagona.analytics import rules
from yagona.platform.bus import EventBus, EventEnvelope

CONSUMER = "analytics.store"


def _kept(_envelope: EventEnvelope) -> None:
    """Nothing to do now: the row stays in the outbox for the export."""


def subscribe(bus: EventBus) -> None:
    for name in rules.FLATTEN:
        if name.startswith("crm."):
            bus.subscribe(name, CONSUMER, _kept)
