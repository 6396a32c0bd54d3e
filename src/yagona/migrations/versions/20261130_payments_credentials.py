"""payments: a payment system's key changed through its protocol (Payme ChangePassword);
GetStatement selects by Payme's own time; the payments of an account

Revision ID: 20261130_payments_credentials
Revises: 20261129_payments
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_payments_credentials"
down_revision: str | Sequence[str] | None = "20261130_privacy_access_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments_credential",
        sa.Column("system", sa.String(length=10), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("system", name=op.f("pk_payments_credential")),
    )
    op.create_index("ix_payments_transaction_time", "payments_transaction", ["system", "external_time"], unique=False)
    op.create_index("ix_payments_transaction_account", "payments_transaction", ["target", "account"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_payments_transaction_account", table_name="payments_transaction")
    op.drop_index("ix_payments_transaction_time", table_name="payments_transaction")
    op.drop_table("payments_credential")
