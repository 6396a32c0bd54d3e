"""Analytics listens to the reminder engine: a sent `offer-made` reminder is the channel that
delivered the customer's open offer (SMS or push), unless the portal showed it first."""

from __future__ import annotations

from functools import partial

from yagona.analytics import service
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
    bus.subscribe(REMINDER_SENT, CONSUMER, partial(handle, uow_factory))
