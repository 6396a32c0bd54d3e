"""Ledger tables. Transfers are append-only: a correction is a new transfer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer, "sqlite")


class Account(Base):
    __tablename__ = "ledger_account"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    owner: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(10))
    allow_negative: Mapped[bool] = mapped_column(Boolean)
    upper_limit: Mapped[int | None] = mapped_column(BigInteger)
    shards: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        CheckConstraint("shards >= 1", name="shards_positive"),
        CheckConstraint("upper_limit IS NULL OR upper_limit >= 0", name="upper_limit_not_negative"),
    )


class Balance(Base):
    """Running totals of one shard of an account, updated with every transfer."""

    __tablename__ = "ledger_balance"

    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    debits_posted: Mapped[int] = mapped_column(BigInteger)
    credits_posted: Mapped[int] = mapped_column(BigInteger)
    debits_pending: Mapped[int] = mapped_column(BigInteger)
    credits_pending: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("debits_pending >= 0 AND credits_pending >= 0", name="pending_not_negative"),)


class Batch(Base):
    """One posting request: its idempotency key and the fingerprint of what was asked."""

    __tablename__ = "ledger_batch"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Transfer(Base):
    __tablename__ = "ledger_transfer"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("ledger_batch.id"), index=True)
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    debit_shard: Mapped[int] = mapped_column(Integer)
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    credit_shard: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(60))
    # A post or void names the pending transfer it resolves; unique, so it resolves once.
    pending_id: Mapped[str | None] = mapped_column(ForeignKey("ledger_transfer.id"), unique=True)
    extra: Mapped[dict[str, str]] = mapped_column("metadata", JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_account_id <> credit_account_id", name="two_accounts"),
        CheckConstraint("kind IN ('posted', 'pending', 'post_pending', 'void_pending')", name="kind_known"),
        Index("ix_ledger_transfer_debit", "debit_account_id", "seq"),
        Index("ix_ledger_transfer_credit", "credit_account_id", "seq"),
    )
