"""The message outbox. Bodies are sealed at rest: an SMS may carry a one-time code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime


class Message(Base):
    __tablename__ = "notify_message"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(2))
    # AES-GCM sealed text; wiped after delivery unless the environment keeps it (dev, test).
    body_sealed: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_notify_message_recipient", "recipient", "created_at"),
        Index("ix_notify_message_status", "status", "created_at"),
    )
