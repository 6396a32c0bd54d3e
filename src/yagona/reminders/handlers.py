"""The engine listens to the events of the domains below it. Each event is handled in its own
unit of work: it arms the checks the event calls for (a due job, keyed so that an event
delivered twice arms once) or records a reminder its own domain sent (home)."""

from __future__ import annotations

from functools import partial

from yagona.platform.bus import EventBus, EventEnvelope, consume_once
from yagona.platform.uow import UnitOfWorkFactory
from yagona.reminders import service

CONSUMER = "reminders"
RECORDED = frozenset({"home.reminder_sent"})  # writes a record: guarded by consume_once


def events() -> list[str]:
    """Every event some trigger is armed by."""
    return sorted({name for trigger in service.TRIGGERS.values() for name in trigger.armed_by})


def handle(uow_factory: UnitOfWorkFactory, envelope: EventEnvelope) -> None:
    with uow_factory() as uow:
        if envelope.name in RECORDED and not consume_once(
            uow.session, consumer=CONSUMER, event_id=envelope.event_id, now=uow.clock.now()
        ):
            return
        service.on_event(uow, event_name=envelope.name, payload=envelope.payload)
        uow.commit()


def subscribe(bus: EventBus, uow_factory: UnitOfWorkFactory) -> None:
    """Registered by the composition root (`app.bootstrap`)."""
    for name in events():
        bus.subscribe(name, CONSUMER, partial(handle, uow_factory))
