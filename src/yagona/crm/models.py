"""The timeline's rows and the customer's requests to the call-centre."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
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

    __table_args__ = (Index("ix_crm_contact_request_status", "status", "opened_at"),)


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
