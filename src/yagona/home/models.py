"""Tables of the home domain. An account's money is its ledger account `home:<contract>`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class HomeAccount(Base):
    __tablename__ = "home_account"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract: Mapped[str] = mapped_column(String(8), unique=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    address: Mapped[str] = mapped_column(String(300))
    plan_id: Mapped[str] = mapped_column(String(64))
    # A plan chosen for the next period (a change while a period runs waits for it).
    next_plan_id: Mapped[str | None] = mapped_column(String(64))
    equipment: Mapped[list[Any]] = mapped_column(JSON)  # ids of rented devices
    state: Mapped[str] = mapped_column(String(20), index=True)  # pending_identity | active | suspended | closed
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The cycle's anchor: the fee falls due on this day of each month (set when a period starts fresh).
    period_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Start of the night window in which the next fee falls due; None unless active.
    next_charge_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_charged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # the running period's start
    suspended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class HomeAddon(Base):
    """An IPTV package on a home account, billed with it."""

    __tablename__ = "home_addon"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("home_account.id"), index=True)
    package_id: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool]
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("account_id", "package_id"),)
