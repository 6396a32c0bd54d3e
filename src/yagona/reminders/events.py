"""Facts the reminder engine publishes: crm records each reminder as an interaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ReminderSent(DomainEvent):
    name: ClassVar[str] = "reminders.reminder_sent"
    customer_id: str
    phone: str
    rule: str
    channel: str
    message_id: str | None  # notify's message (None only in events published before home's reminders moved here)
