"""The access log: one row per view of, or action on, a customer's personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
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
