"""The in-process event bus. Events reach it only after the transaction that wrote them
committed (see `uow.UnitOfWork.commit`); delivery is at least once, so every consumer
guards itself with `consume_once`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yagona.platform.models import ConsumedEvent

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    event_id: str
    name: str
    occurred_at: datetime
    payload: dict[str, Any]


Handler = Callable[[EventEnvelope], None]


class EventBus:
    """Maps event names to (consumer, handler). Wired explicitly in `app/bootstrap.py`."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[tuple[str, Handler]]] = defaultdict(list)

    def subscribe(self, event_name: str, consumer: str, handler: Handler) -> None:
        if any(existing == consumer for existing, _ in self._handlers[event_name]):
            raise ValueError(f"{consumer} already consumes {event_name}")
        self._handlers[event_name].append((consumer, handler))

    def has_consumers(self, event_name: str) -> bool:
        return bool(self._handlers.get(event_name))

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
