"""The in-process event bus. Events reach it only after the transaction that wrote them
committed (see `uow.UnitOfWork.commit`); delivery is at least once, so every consumer
guards itself with `consume_once`.

A consumer may subscribe *deferred*: it is not run at commit, in the producer's thread, but
by the drain (`platform.outbox.drain_deferred`, the worker's loop), which hands it the
outbox rows in outbox order, in batches behind a per-consumer cursor (the consumers' batches
of one drain share a unit of work where nothing forces a commit between them). The
producer then pays for an outbox row, not for the consumer's transaction (docs/loyalty.md).
A bus built with `defer=False` runs deferred consumers at commit like the others (the
test settings' default: a test sees the effect at once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yagona.platform.models import ConsumedEvent

if TYPE_CHECKING:
    from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    event_id: str
    name: str
    occurred_at: datetime
    payload: dict[str, Any]


Handler = Callable[[EventEnvelope], None]
# A deferred consumer's handler runs inside the drain's unit of work: it marks the event with
# `consume_once` and acts, and never commits.
BatchHandler = Callable[["UnitOfWork", EventEnvelope], None]
# Whether an event is worth the consumer's while (most rated uses charge nothing): an event no
# consumer wants writes no outbox row unless the outbox is relayed to JetStream.
Wants = Callable[[EventEnvelope], bool]


def _always(_envelope: EventEnvelope) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class DeferredConsumer:
    name: str
    handler: BatchHandler
    events: frozenset[str]
    wants: Wants


class EventBus:
    """Maps event names to (consumer, handler). Wired explicitly in `app/bootstrap.py`."""

    def __init__(self, *, defer: bool = True) -> None:
        self._handlers: dict[str, list[tuple[str, Handler]]] = defaultdict(list)
        self._deferred: dict[str, DeferredConsumer] = {}
        self._deferred_names: dict[str, list[DeferredConsumer]] = defaultdict(list)
        self._defer = defer
        self._kept: frozenset[str] = frozenset()

    def subscribe(self, event_name: str, consumer: str, handler: Handler) -> None:
        if any(existing == consumer for existing, _ in self._handlers[event_name]):
            raise ValueError(f"{consumer} already consumes {event_name}")
        self._handlers[event_name].append((consumer, handler))

    def subscribe_deferred(
        self,
        event_names: Iterable[str],
        consumer: str,
        handler: BatchHandler,
        uow_factory: UnitOfWorkFactory,
        *,
        wants: Wants = _always,
    ) -> None:
        """`consumer` handles `event_names` off the producer's path: the drain feeds it from
        the outbox. On a bus that does not defer, it runs at commit in its own unit of work."""
        names = frozenset(event_names)
        if consumer in self._deferred or any(consumer == c for n in names for c, _ in self._handlers[n]):
            raise ValueError(f"{consumer} is subscribed already")
        if not self._defer:

            def at_once(envelope: EventEnvelope) -> None:
                if not wants(envelope):
                    return
                with uow_factory() as uow:
                    handler(uow, envelope)
                    uow.commit()

            for name in sorted(names):
                self.subscribe(name, consumer, at_once)
            return
        entry = DeferredConsumer(consumer, handler, names, wants)
        self._deferred[consumer] = entry
        for name in names:
            self._deferred_names[name].append(entry)

    def keep_rows(self, event_names: Iterable[str]) -> None:
        """Keep the outbox rows of `event_names` though nobody here consumes them: a reader of
        the outbox table (the analytics export) comes for them later by its own cursor."""
        self._kept |= frozenset(event_names)

    def keeps(self, event_name: str) -> bool:
        return event_name in self._kept

    def has_consumers(self, event_name: str) -> bool:
        """Someone here runs at commit for `event_name` (deferred consumers do not)."""
        return bool(self._handlers.get(event_name))

    def defers(self, envelope: EventEnvelope) -> bool:
        """A deferred consumer wants `envelope`: the outbox keeps its row for the drain."""
        return any(entry.wants(envelope) for entry in self._deferred_names.get(envelope.name, ()))

    def deferred_consumers(self) -> list[DeferredConsumer]:
        return [self._deferred[name] for name in sorted(self._deferred)]

    def dispatch(self, envelope: EventEnvelope) -> bool:
        """Run every handler; True when all succeeded. A failure is logged and retried later."""
        ok = True
        for consumer, handler in self._handlers.get(envelope.name, []):
            try:
                handler(envelope)
            except Exception:  # a consumer's failure must not break the producer
                ok = False
                log.exception(
                    "event_handler_failed", consumer=consumer, event_name=envelope.name, event_id=envelope.event_id
                )
        return ok


def consume_once(session: Session, *, consumer: str, event_id: str, now: datetime) -> bool:
    """Record that `consumer` handled `event_id`; False if it already had.

    Call it inside the consumer's own unit of work, before its effects, so the mark and
    the effects commit together.
    """
    try:
        with session.begin_nested():
            session.execute(insert(ConsumedEvent).values(consumer=consumer, event_id=event_id, consumed_at=now))
    except IntegrityError:
        return False
    return True
