"""The base of domain events: frozen facts, named in the past tense."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from yagona.kernel.ids import new_id


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """A fact a domain publishes. `name` is stable: consumers and the bus key on it."""

    name: ClassVar[str] = "domain_event"
    occurred_at: datetime
    event_id: str = field(default_factory=new_id)

    def payload(self) -> dict[str, Any]:
        """The event's own fields as JSON-friendly values."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in ("event_id", "occurred_at"):
                continue
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else value
        return out
