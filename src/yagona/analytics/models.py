"""Tables of analytics: the offers made to customers (the next-best offer as a record, from
made to accepted, dismissed or expired). The store itself is Parquet, not here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime

OPEN = ("made", "shown")  # an offer the customer may still accept
CLOSED = ("accepted", "dismissed", "expired")


class Offer(Base):
    """One offer to one line: what (`kind`, a target plan or a reward), the saving it promised,
    the segments and churn risk that called for it, and where it stands."""

    __tablename__ = "analytics_offer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(36))
    msisdn: Mapped[str] = mapped_column(String(32))  # the line (a pseudonym after erasure)
    kind: Mapped[str] = mapped_column(String(24))  # cheaper_plan | bundle | loyalty_discount
    plan: Mapped[str | None] = mapped_column(String(64))  # the target plan (cheaper_plan, bundle)
    reward: Mapped[str | None] = mapped_column(String(64))  # the loyalty reward (loyalty_discount)
    saving_tiyin: Mapped[int] = mapped_column(BigInteger())  # the expected saving a month
    segments: Mapped[list[str]] = mapped_column(JSON)  # the customer's segments when it was made
    risk: Mapped[float | None] = mapped_column(Float())  # the churn risk when it was made (None: no scores)
    status: Mapped[str] = mapped_column(String(16))  # made | shown | accepted | dismissed | expired
    channel: Mapped[str | None] = mapped_column(String(16))  # first delivered by: portal | sms | push
    made_at: Mapped[datetime] = mapped_column(UtcDateTime())
    shown_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # accepted, dismissed or expired
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_analytics_offer_customer", "customer_id", "made_at"),
        Index("ix_analytics_offer_line", "msisdn", "made_at"),
        Index("ix_analytics_offer_made", "made_at"),
    )
