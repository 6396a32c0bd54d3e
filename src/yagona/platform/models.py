"""Tables of the platform itself: the outbox, consumed events, due jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime


class OutboxRow(Base):
    """An event written in the same transaction as the change it reports."""

    __tablename__ = "platform_outbox"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_platform_outbox_undispatched", "dispatched_at", "seq"),
        Index("ix_platform_outbox_unpublished", "published_at", "seq"),
    )


class ConsumedEvent(Base):
    """One row per (consumer, event): a consumer that sees an event twice acts once."""

    __tablename__ = "platform_consumed_event"

    consumer: Mapped[str] = mapped_column(String(120), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    consumed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class JobRow(Base):
    """A due job: what to do (`kind`, `payload`), when (`due_at`), and how it went."""

    __tablename__ = "platform_job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # `key` makes scheduling idempotent: the same renewal is never scheduled twice.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_platform_job_due", "status", "due_at"),)


class ConsumerCursor(Base):
    """Where a deferred consumer stands in the outbox: every row up to `last_seq` is handled
    (`platform.outbox.drain_deferred`)."""

    __tablename__ = "platform_consumer_cursor"

    consumer: Mapped[str] = mapped_column(String(120), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # A seq missing after `last_seq` on PostgreSQL (a transaction still in flight, or rolled
    # back): since when the drain has waited for it.
    gap_seq: Mapped[int | None] = mapped_column(BigInteger())
    gap_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
