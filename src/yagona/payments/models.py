"""A payment system's transaction as Yagona keeps it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime


class PaymentTransaction(Base):
    __tablename__ = "payments_transaction"

    # Yagona's own id: Payme's `transaction`, Click's `merchant_prepare_id` / `merchant_confirm_id`.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    system: Mapped[str] = mapped_column(String(10))
    external_id: Mapped[str] = mapped_column(String(64))  # Payme's `id`, Click's `click_trans_id`
    target: Mapped[str] = mapped_column(String(10))  # line | wallet | home
    account: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(BigInteger)  # tiyin
    state: Mapped[int] = mapped_column(Integer)  # 1 created, 2 performed, -1 cancelled, -2 cancelled after perform
    reason: Mapped[int | None] = mapped_column(Integer)
    external_time: Mapped[int | None] = mapped_column(BigInteger)  # Payme's `time` (ms)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    performed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("system", "external_id", name="uq_payments_transaction_external"),
        Index("ix_payments_transaction_created", "system", "created_at"),
        Index("ix_payments_transaction_time", "system", "external_time"),
        Index("ix_payments_transaction_account", "target", "account"),
    )


class PaymentCredential(Base):
    """A payment system's key changed through its own protocol (Payme's ChangePassword). It
    overrides the configured one; only its SHA-256 is kept (the key is long and random: the
    hash suffices to check it, and a leaked row does not give the key away)."""

    __tablename__ = "payments_credential"

    system: Mapped[str] = mapped_column(String(10), primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
