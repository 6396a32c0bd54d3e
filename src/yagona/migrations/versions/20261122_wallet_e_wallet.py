"""wallet: wallets and their operations (receipts)

Revision ID: 20261122_wallet
Revises: 20261122_ledger
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261122_wallet"
down_revision: str | None = "20261122_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallet_account",
        sa.Column("phone", sa.String(length=12), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("block_reason", sa.String(length=20), nullable=True),
        sa.Column("pin_hash", sa.String(length=200), nullable=True),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("pin_locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("offer_accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("identity_document", sa.String(length=40), nullable=True),
        sa.Column("identified_by", sa.String(length=120), nullable=True),
        sa.Column("identified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hold_transfer_id", sa.String(length=36), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('active', 'blocked', 'closed')", name=op.f("ck_wallet_account_state_known")),
        sa.CheckConstraint("tier IN ('light', 'premium')", name=op.f("ck_wallet_account_tier_known")),
        sa.CheckConstraint("pin_failures >= 0", name=op.f("ck_wallet_account_pin_failures_not_negative")),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_wallet_account")),
    )
    op.create_table(
        "wallet_operation",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("payer_phone", sa.String(length=12), nullable=True),
        sa.Column("payee_phone", sa.String(length=12), nullable=True),
        sa.Column("source", sa.String(length=60), nullable=True),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("account", sa.String(length=60), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("ledger_transfer_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'completed', 'declined')", name=op.f("ck_wallet_operation_status_known")
        ),
        sa.CheckConstraint("amount > 0 AND commission >= 0", name=op.f("ck_wallet_operation_amounts_valid")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_wallet_operation")),
        sa.UniqueConstraint("id", name=op.f("uq_wallet_operation_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_wallet_operation_idempotency_key")),
    )
    with op.batch_alter_table("wallet_operation", schema=None) as batch_op:
        batch_op.create_index("ix_wallet_operation_payee", ["payee_phone", "created_at"], unique=False)
        batch_op.create_index("ix_wallet_operation_payer", ["payer_phone", "seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wallet_operation", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_operation_payer")
        batch_op.drop_index("ix_wallet_operation_payee")
    op.drop_table("wallet_operation")
    op.drop_table("wallet_account")
