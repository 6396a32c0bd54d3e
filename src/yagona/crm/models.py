"""The timeline's rows and the customer's requests to the call-centre."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
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
