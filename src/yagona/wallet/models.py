"""Wallet tables. Money lives in the ledger (`wallet:<phone>`); these rows hold the
wallet's state, its PIN, and every operation — which is also its receipt."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime
from yagona.platform.sealing import SealedDate, SealedText

BigId = BigInteger().with_variant(Integer, "sqlite")


class WalletAccount(Base):
    __tablename__ = "wallet_account"

    phone: Mapped[str] = mapped_column(String(12), primary_key=True)
    # The owner's One ID profile (offer 4.1: registered from a session of this phone).
    customer_id: Mapped[str | None] = mapped_column(String(36))
    tier: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    block_reason: Mapped[str | None] = mapped_column(String(20))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    pin_failures: Mapped[int] = mapped_column(Integer)
    pin_locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    birth_date: Mapped[date] = mapped_column(SealedDate)  # sealed at rest (seed 003, 16)
    offer_accepted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    offer_version: Mapped[str | None] = mapped_column(String(40))  # the edition of the offer accepted
    # When it was last blocked: a lost phone's balance is kept 3 years from here (4.6.3).
    blocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Wrong birth dates on a PIN restore (4.6.6), counted apart from the PIN; no customer call resets it.
    birth_date_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    birth_date_locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    identity_document: Mapped[str | None] = mapped_column(SealedText)  # sealed at rest
    identified_by: Mapped[str | None] = mapped_column(String(120))
    identified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # A fraud freeze holds the funds as a pending ledger transfer, resolved on release or return.
    hold_transfer_id: Mapped[str | None] = mapped_column(String(36))
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        CheckConstraint("tier IN ('light', 'premium')", name="tier_known"),
        CheckConstraint("state IN ('active', 'blocked', 'closed')", name="state_known"),
        CheckConstraint("pin_failures >= 0", name="pin_failures_not_negative"),
        CheckConstraint("birth_date_failures >= 0", name="birth_date_failures_not_negative"),
        Index("ix_wallet_account_customer", "customer_id"),
    )


class WalletOperation(Base):
    """One operation and its electronic receipt (number = W + seq)."""

    __tablename__ = "wallet_operation"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    payer_phone: Mapped[str | None] = mapped_column(String(12))  # the wallet debited
    payee_phone: Mapped[str | None] = mapped_column(String(12))  # the wallet credited
    source: Mapped[str | None] = mapped_column(String(60))  # masked card, promotion, operator
    provider: Mapped[str | None] = mapped_column(String(40))
    account: Mapped[str | None] = mapped_column(String(60))
    amount: Mapped[int] = mapped_column(BigInteger)
    commission: Mapped[int] = mapped_column(BigInteger)
    # Scoped by who asked ("<phone>:<key>"); the hash of the request tells a replay from a conflict.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    ledger_transfer_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # A utility payment: the biller's own id of it (its confirmation), shown on the receipt.
    biller_confirmation: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        CheckConstraint("amount > 0 AND commission >= 0", name="amounts_valid"),
        CheckConstraint("status IN ('pending', 'completed', 'declined')", name="status_known"),
        Index("ix_wallet_operation_payee", "payee_phone", "created_at"),
        Index("ix_wallet_operation_payer", "payer_phone", "seq"),
    )
