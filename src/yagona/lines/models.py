"""Tables of the lines domain. A line's money is its ledger account `line:<msisdn>`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class Line(Base):
    __tablename__ = "lines_line"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    msisdn: Mapped[str] = mapped_column(String(15), unique=True)
    plan_id: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16))  # active | blocked
    block_reason: Mapped[str | None] = mapped_column(String(16))  # debt | administrative | lost
    connected_at: Mapped[datetime] = mapped_column(UtcDateTime())
    period_started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Start of the night window in which the next fee falls due; None while blocked for debt.
    next_charge_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Bumped by every change of the line, so a job scheduled for an older state does nothing.
    version: Mapped[int] = mapped_column(Integer)


class Bundle(Base):
    """What is left of one grant: a plan's period bundle, a package, a bonus."""

    __tablename__ = "lines_bundle"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines_line.id"))
    key: Mapped[str] = mapped_column(String(40))  # minutes, sms, mb (in KB), welcome_minutes, …
    origin: Mapped[str] = mapped_column(String(40))  # plan | package:<id> | bonus | holiday
    granted: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_lines_bundle_line_key", "line_id", "key"),)


class Usage(Base):
    """A rated use. `record_id` makes posting a usage record idempotent."""

    __tablename__ = "lines_usage"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(80), unique=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines_line.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # voice | incoming | sms | data | csd
    destination: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(BigInteger)  # seconds, messages or KB as reported
    units: Mapped[int] = mapped_column(BigInteger)  # billed: minutes, SMS, KB
    from_bundle: Mapped[int] = mapped_column(BigInteger)
    charged: Mapped[int] = mapped_column(BigInteger)  # tiyin
    request_hash: Mapped[str] = mapped_column(String(64))
    rated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Promo(Base):
    """A promo subscription: free once per number and service, then a daily fee."""

    __tablename__ = "lines_promo"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    msisdn: Mapped[str] = mapped_column(String(15))
    promo_id: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    free_until: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))  # free | paid | off

    __table_args__ = (UniqueConstraint("msisdn", "promo_id"),)


class FeeDiscount(Base):
    """A reward of the bonus programme: a share off the line's next monthly fee, used once."""

    __tablename__ = "lines_fee_discount"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines_line.id"), index=True)
    percent: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(200), unique=True)  # the redemption that granted it
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
