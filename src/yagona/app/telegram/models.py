"""The bot's one table: a Telegram chat and where its link to One ID stands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime


class TelegramChat(Base):
    """A private chat with the bot. `state`: `new` (only the link prompt), `code` (a code was
    sent to `phone`, the chat types it), `linked` (a One ID session, sealed, speaks for the
    customer), `person` (linked, the next message goes to the call-centre), or a step of a
    two-step command (`flows.py`: `switch`, `swconf`, `payamt`, `paypin`, `line`) with what it waits on
    in `pending` (the line, the plan, the amount; never a PIN)."""

    __tablename__ = "telegram_chat"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger)  # the Telegram user who talks in it
    state: Mapped[str] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(12))
    customer_id: Mapped[str | None] = mapped_column(String(36))
    session_id: Mapped[str | None] = mapped_column(String(36))
    # The One ID session's token, sealed with a key derived from YAGONA_SECRET_KEY.
    session_sealed: Mapped[str | None] = mapped_column(Text)
    # Updates are answered once: Telegram retries one it thinks was not delivered.
    last_update_id: Mapped[int] = mapped_column(BigInteger)
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The line change plan and pay act on, chosen in this chat (a customer with several lines).
    line: Mapped[str | None] = mapped_column(String(12))
    linked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_telegram_chat_customer", "customer_id"),)
