"""Facts the CRM publishes about tickets, SLA breaches, survey answers and customers' contacts
(feedback sends a CSAT survey on `ticket_resolved`; analytics keeps their non-personal fields)."""

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
    queue: str = ""  # the queue it was in (SLA compliance per queue)


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


@dataclass(frozen=True, kw_only=True)
class SlaBreached(DomainEvent):
    """A ticket's clock passed its due time without its answer (recorded once a clock)."""

    name: ClassVar[str] = "crm.sla_breached"
    ticket_id: str
    customer_id: str
    clock: str  # first_response | resolution
    queue: str
    category: str
    priority: str
    channel: str


@dataclass(frozen=True, kw_only=True)
class FeedbackAnswered(DomainEvent):
    """A customer answered a survey. The score only: the comment never leaves the CRM."""

    name: ClassVar[str] = "crm.feedback_answered"
    survey_id: str
    customer_id: str
    kind: str  # nps | csat | ces
    score: int
    touchpoint: str  # what the survey followed: ticket_resolved, call, relationship, …
    category: str  # a ticket's category or the task
    channel: str  # where the customer dealt with us
    answered_in: str  # where the customer answered


@dataclass(frozen=True, kw_only=True)
class ContactMade(DomainEvent):
    """A customer reached us (an inbound interaction on their timeline, not an operation on
    their services): the contact-channel mix. The summary never leaves the CRM."""

    name: ClassVar[str] = "crm.contact_made"
    customer_id: str
    channel: str  # ussd | sms | telegram | portal | staff (a call) | email
    subject_kind: str  # what it was about: ticket, call, survey, … ("" when nothing)
