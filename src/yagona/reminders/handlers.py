"""The engine listens to the events of the domains below it. Each event is handled in its own
unit of work: it arms the checks the event calls for (a due job, keyed so that an event
delivered twice arms once)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from functools import partial

from yagona.platform.bus import EventBus, EventEnvelope
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory
from yagona.reminders import service

CONSUMER = "reminders"
# A rated use is the busiest event there is: a line's bundles are looked at no more than once
# an hour (by the event's time), so rating at full speed pays one look per line and hour.
THROTTLED = frozenset({"lines.usage_rated"})
LOOK_EVERY = timedelta(hours=1)
LINES_REMEMBERED = 100_000


class Throttle:
    """The last look per line, in this process (bounded: the oldest are forgotten first)."""

    def __init__(self, size: int = LINES_REMEMBERED) -> None:
        self._size = size
        self._seen: OrderedDict[str, datetime] = OrderedDict()

    def due(self, key: str, at: datetime) -> bool:
        last = self._seen.get(key)
        if last is not None and abs(at - last) < LOOK_EVERY:
            return False
        self._seen[key] = at
        self._seen.move_to_end(key)
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


def events() -> list[str]:
    """Every event some trigger is armed by."""
    return sorted({name for trigger in service.TRIGGERS.values() for name in trigger.armed_by})


def handle(uow: UnitOfWork, envelope: EventEnvelope, *, throttle: Throttle | None = None) -> None:
    """One event, in the drain's unit of work (or its own, on a bus that does not defer)."""
    line = str(envelope.payload.get("msisdn"))
    if throttle is not None and envelope.name in THROTTLED and not throttle.due(line, envelope.occurred_at):
        return
    service.on_event(uow, event_name=envelope.name, payload=envelope.payload)


def subscribe(bus: EventBus, uow_factory: UnitOfWorkFactory) -> None:
    """Registered by the composition root (`app.bootstrap`): deferred like the bonus programme,
    so a rated use's request never waits for the engine — the worker's drain (and the sandbox,
    after each step) hands the events over from the outbox in order."""
    throttle = Throttle()  # one per wiring: a fresh container (a test, a sandbox run) starts afresh
    bus.subscribe_deferred(events(), CONSUMER, partial(handle, throttle=throttle), uow_factory)
