"""Analytics on the bus:

- The store reads the outbox table after the fact (`service.export_batch`, its own cursor);
  without an external bus (NATS) the outbox keeps only the rows someone consumes, so analytics
  asks the bus to keep every event the store exports (`rules.FLATTEN`): a row in the same
  commit, no handler, no work on the producer's path beyond the row.
- It listens to the reminder engine: a sent `offer-made` reminder is the channel that
  delivered the customer's open offer (SMS or push), unless the portal showed it first."""

from __future__ import annotations

from functools import partial

from yagona.analytics import rules, service
from yagona.platform.bus import EventBus, EventEnvelope
from yagona.platform.uow import UnitOfWorkFactory

CONSUMER = "analytics.offers"
REMINDER_SENT = "reminders.reminder_sent"
OFFER_RULE = "offer-made"  # reminders/data/rules.yaml


def handle(uow_factory: UnitOfWorkFactory, envelope: EventEnvelope) -> None:
    payload = envelope.payload
    if payload.get("rule") != OFFER_RULE:
        return
    with uow_factory() as uow:
        service.delivered(uow, customer_id=str(payload["customer_id"]), channel=str(payload["channel"]))
        uow.commit()


def subscribe(bus: EventBus, uow_factory: UnitOfWorkFactory) -> None:
    """Registered by the composition root (`app.bootstrap`)."""
    bus.keep_rows(rules.FLATTEN)
    bus.subscribe(REMINDER_SENT, CONSUMER, partial(handle, uow_factory))
