"""The access log: one row per view of, or action on, a customer's personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class AccessRecord(Base):
    __tablename__ = "privacy_access_record"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))  # `view`, `line.block`, `wallet.freeze`, …
    subject: Mapped[str | None] = mapped_column(String(120))  # a line's or a wallet's number
    reason: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_privacy_access_record_customer", "customer_id", "seq"),
        Index("ix_privacy_access_record_staff", "staff_id", "seq"),
    )


class LegalHold(Base):
    """A customer's data the law (a court, an investigation, a dispute) requires kept: while a
    hold is active, erasure is refused (`legal_hold`)."""

    __tablename__ = "privacy_legal_hold"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(64))  # a staff id or `cli`
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    released_by: Mapped[str | None] = mapped_column(String(64))


class Erasure(Base):
    """One erasure done: whose (the id, which stays: it is itself a pseudonym), when, at whose
    request, how many rows each domain changed. Holds no personal data."""

    __tablename__ = "privacy_erasure"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))  # `customer` or a staff id
    rows: Mapped[dict[str, int]] = mapped_column(JSON)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RetentionRun(Base):
    """One pass of a retention job: the purpose, the cut-off, how many rows went."""

    __tablename__ = "privacy_retention_run"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(String(40))
    before: Mapped[datetime] = mapped_column(UtcDateTime())
    rows: Mapped[dict[str, int]] = mapped_column(JSON)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime())
