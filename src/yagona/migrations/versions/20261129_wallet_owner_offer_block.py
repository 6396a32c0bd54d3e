"""wallet: the owner's One ID profile, the offer version accepted, when it was blocked,
and the birth-date attempt counter of a PIN restore (apart from the PIN's)

Revision ID: 20261129_wallet
Revises: 20261122_merge
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261129_wallet"
down_revision: str | Sequence[str] | None = "20261122_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wallet_account") as batch:
        # Wallets registered before One ID carry no owner; they are opened by a session of their phone.
        batch.add_column(sa.Column("customer_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("offer_version", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("birth_date_failures", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("birth_date_locked_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_wallet_account_customer", ["customer_id"])
        batch.create_check_constraint("birth_date_failures_not_negative", "birth_date_failures >= 0")


def downgrade() -> None:
    with op.batch_alter_table("wallet_account") as batch:
        batch.drop_constraint("birth_date_failures_not_negative", type_="check")
        batch.drop_index("ix_wallet_account_customer")
        batch.drop_column("birth_date_locked_until")
        batch.drop_column("birth_date_failures")
        batch.drop_column("blocked_at")
        batch.drop_column("offer_version")
        batch.drop_column("customer_id")
