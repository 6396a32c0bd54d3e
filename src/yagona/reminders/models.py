"""Tables of the reminder engine: what was sent (or held back, and why), and each customer's
preferences. Marketing consent is identity's (`marketing_opt_in` with its consent history)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class ReminderLog(Base):
    """One reminder decided: `sent` (it counts for the daily cap and the period) or `skipped`."""

    __tablename__ = "reminders_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    rule: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(120))  # what it is about: a line, a bundle, a lot…
    status: Mapped[str] = mapped_column(String(16))  # sent | skipped
    reason: Mapped[str | None] = mapped_column(String(24))  # why skipped
    channel: Mapped[str | None] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_reminders_log_customer_at", "customer_id", "at"),
        Index("ix_reminders_log_subject", "customer_id", "rule", "subject", "at"),
    )


class ReminderPreference(Base):
    __tablename__ = "reminders_preference"

    customer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channels: Mapped[list[str]] = mapped_column(JSON)  # in order of preference
    opted_out: Mapped[list[str]] = mapped_column(JSON)  # rule ids switched off
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
