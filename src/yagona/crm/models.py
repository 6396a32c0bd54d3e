"""The timeline's rows and the customer's requests to the call-centre."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime


class Interaction(Base):
    """One contact with a customer: a USSD session, an SMS, a push, a bot message, a sign-in,
    a staff call note. `subject_*` names what it touched (a line, a payment, a request)."""

    __tablename__ = "crm_interaction"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(3))
    summary: Mapped[str] = mapped_column(String(300))
    subject_kind: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # A message's delivery as notify reports it (sent | delivered | failed); None otherwise.
    status: Mapped[str | None] = mapped_column(String(16))
    # The member of staff who wrote it (a call note); None when a channel or an event did.
    recorded_by: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_crm_interaction_customer", "customer_id", "occurred_at"),
        Index("ix_crm_interaction_subject", "subject_kind", "subject_id"),
    )


class ContactRequest(Base):
    """A customer asked for a person ("talk to a person" in the bot, a call-back by USSD)."""

    __tablename__ = "crm_contact_request"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(36))
    close_note: Mapped[str | None] = mapped_column(String(1000))
    # The ticket (issue 14): what it is about, who works it, and its SLA clocks.
    category: Mapped[str] = mapped_column(String(16), default="question", server_default="question")
    priority: Mapped[str] = mapped_column(String(8), default="normal", server_default="normal")
    service: Mapped[str | None] = mapped_column(String(40))
    queue: Mapped[str] = mapped_column(String(24), default="general", server_default="general")
    assigned_to: Mapped[str | None] = mapped_column(String(36))
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    first_response_due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolution_due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    merged_into: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_crm_contact_request_status", "status", "opened_at"),
        Index("ix_crm_contact_request_queue", "queue", "status"),
        Index("ix_crm_contact_request_customer", "customer_id", "opened_at"),
    )


class AssistantTurn(Base):
    """A signed-in customer's question to the help assistant and what it answered (an
    article, their account, unsure, a hand-over): the conversation a person gets when the
    assistant hands over, and how often it was unsure. The question is kept as the customer
    wrote it, card numbers and PIN-like numbers masked; a signed-out visitor's questions are
    not kept."""

    __tablename__ = "crm_assistant_turn"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    question: Mapped[str] = mapped_column(String(500))
    outcome: Mapped[str] = mapped_column(String(16))  # article | account | unsure | handover
    article_id: Mapped[str | None] = mapped_column(String(40))
    confidence_permille: Mapped[int] = mapped_column()  # the retrieval's confidence times 1000
    request_id: Mapped[str | None] = mapped_column(String(36))  # the hand-over's contact request
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_crm_assistant_turn_customer", "customer_id", "channel", "asked_at"),)


class TicketMessage(Base):
    """One entry of a ticket's thread: the customer's words (`customer`), a reply to them
    (`reply`, sent through the channel the ticket came from), an internal note (`note`, never
    shown to the customer), or what happened to it (`event`: assigned, merged, status)."""

    __tablename__ = "crm_ticket_message"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(36))  # staff id; None: the customer or the system
    channel: Mapped[str | None] = mapped_column(String(16))  # a reply: where it went
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_crm_ticket_message_ticket", "ticket_id", "created_at"),)


class TicketAttachment(Base):
    """A file the customer attached (png, jpeg, pdf; size-limited), kept in the database with
    the ticket so that a backup and a deletion take it along."""

    __tablename__ = "crm_ticket_attachment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(36))
    message_id: Mapped[str] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_crm_ticket_attachment_ticket", "ticket_id"),)


class DayOff(Base):
    """A day the operator closes the call-centre besides the public holidays."""

    __tablename__ = "crm_day_off"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SlaEvent(Base):
    """A ticket's SLA clock reached its warning or its breach (`kind`: first_response |
    resolution; `level`: warning | breach) — once each."""

    __tablename__ = "crm_sla_event"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(36))
    queue: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("ticket_id", "kind", "level", name="uq_crm_sla_event"),
        Index("ix_crm_sla_event_recorded", "recorded_at"),
    )


class QueueMember(Base):
    """A member of staff who works a queue that is not open to every agent (claims)."""

    __tablename__ = "crm_queue_member"

    queue: Mapped[str] = mapped_column(String(24), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(36), primary_key=True)


class Survey(Base):
    """A feedback survey offered to a customer (NPS, CSAT or CES) after an interaction, and
    its answer once given (issue 14.4). One row per survey: offered → sent → answered (or
    expired); the link's token names it and is signed, never stored."""

    __tablename__ = "crm_survey"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(8))  # nps | csat | ces
    trigger: Mapped[str] = mapped_column(String(40))  # ticket_resolved | call | plan_switched | wallet_paid | ...
    # The interaction the survey follows (its answer is stored with it); None when unknown.
    interaction_id: Mapped[str | None] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(16))  # where the customer dealt with us: scores by channel
    category: Mapped[str] = mapped_column(String(40))  # a ticket's category, or the task: scores by category
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))  # due | sent | answered
    offered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    send_at: Mapped[datetime] = mapped_column(UtcDateTime())  # after quiet hours
    message_id: Mapped[str | None] = mapped_column(String(36))  # notify's SMS with the link
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(1000))
    answer_channel: Mapped[str | None] = mapped_column(String(16))
    follow_up_id: Mapped[str | None] = mapped_column(String(36))  # a detractor's follow-up request

    __table_args__ = (
        Index("ix_crm_survey_customer", "customer_id", "offered_at"),
        Index("ix_crm_survey_answered", "kind", "answered_at"),
    )
