"""wallet: a utility payment keeps its biller's confirmation id (shown on the receipt)

Revision ID: 20261130_wallet_biller_confirm
Revises: 20261130_home_accounts
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_wallet_biller_confirm"  # alembic_version holds 32 characters
down_revision: str | Sequence[str] | None = "20261130_loyalty_points"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("wallet_operation", sa.Column("biller_confirmation", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wallet_operation") as batch:
        batch.drop_column("biller_confirmation")
