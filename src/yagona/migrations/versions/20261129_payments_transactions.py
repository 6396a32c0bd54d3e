"""payments: the payment systems' transactions (Payme, Click) with states and timestamps

Revision ID: 20261129_payments
Revises: 20261129_identity_phone
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261129_payments"
down_revision: str | Sequence[str] | None = "20261129_identity_phone"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments_transaction",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("system", sa.String(length=10), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Integer(), nullable=True),
        sa.Column("external_time", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_payments_transaction")),
        sa.UniqueConstraint("system", "external_id", name="uq_payments_transaction_external"),
    )
    op.create_index("ix_payments_transaction_created", "payments_transaction", ["system", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_payments_transaction_created", table_name="payments_transaction")
    op.drop_table("payments_transaction")
