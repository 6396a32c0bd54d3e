"""Facts the CRM publishes about tickets (feedback sends a CSAT survey on `ticket_resolved`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from yagona.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class TicketOpened(DomainEvent):
    name: ClassVar[str] = "crm.ticket_opened"
    ticket_id: str
    customer_id: str
    channel: str  # where it came from: portal, telegram, ussd, sms, staff, email
    category: str
    priority: str
    queue: str


@dataclass(frozen=True, kw_only=True)
class TicketResolved(DomainEvent):
    name: ClassVar[str] = "crm.ticket_resolved"
    ticket_id: str
    customer_id: str
    channel: str  # the channel the ticket came from: where a survey reaches the customer
    category: str
    priority: str
    status: str  # resolved | closed (closed with a note in one step)
    resolved_by: str | None  # the member of staff
    within_sla: bool  # resolved by its resolution due date


@dataclass(frozen=True, kw_only=True)
class TicketReplied(DomainEvent):
    """A member of staff replied to the customer: by SMS, on the portal's thread, or — `via`
    naming a channel adapter (`telegram`) — to be sent by that adapter once this commits."""

    name: ClassVar[str] = "crm.ticket_replied"
    ticket_id: str
    number: str  # what the customer quotes: the id's last 8 characters
    customer_id: str
    channel: str  # where the ticket came from
    via: str  # where the reply goes: sms | portal | telegram
    text: str
