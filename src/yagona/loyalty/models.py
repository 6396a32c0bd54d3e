"""Tables of the loyalty domain. Points themselves live in the ledger (unit `points`,
account `loyalty:<phone>`); these tables hold the lots, the history and the member's carry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class Member(Base):
    """A customer in the programme, by the phone their line and wallet share."""

    __tablename__ = "loyalty_member"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(String(15), unique=True)
    tier: Mapped[str] = mapped_column(String(16))
    carry_tiyin: Mapped[int] = mapped_column(BigInteger)
    debt_points: Mapped[int] = mapped_column(BigInteger)  # taken back beyond the open lots
    kinds: Mapped[str] = mapped_column(String(120))  # service kinds seen, comma-separated
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Alias(Base):
    """A line linked to a One ID profile under another number earns into the profile's phone."""

    __tablename__ = "loyalty_alias"

    phone: Mapped[str] = mapped_column(String(15), primary_key=True)
    member_phone: Mapped[str] = mapped_column(String(15))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Lot(Base):
    """The points of one accrual, with their expiry; burned oldest first."""

    __tablename__ = "loyalty_lot"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("loyalty_member.id"))
    points: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    earned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_loyalty_lot_member_expires", "member_id", "expires_at"),)


class Entry(Base):
    """One line of a member's history: an accrual, a bonus, a redemption, an expiry, a
    take-back or a staff adjustment. `spend_tiyin` is what counts toward the tier."""

    __tablename__ = "loyalty_entry"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("loyalty_member.id"))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)
    spend_tiyin: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    reference: Mapped[str] = mapped_column(String(200))  # the event, reward or reason behind it

    __table_args__ = (
        Index("ix_loyalty_entry_member_at", "member_id", "at"),
        Index("ix_loyalty_entry_reference", "reference"),
    )
