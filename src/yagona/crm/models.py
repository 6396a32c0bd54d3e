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

    __table_args__ = (Index("ix_crm_interaction_customer", "customer_id", "occurred_at"),)


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

    __table_args__ = (Index("ix_crm_contact_request_status", "status", "opened_at"),)
