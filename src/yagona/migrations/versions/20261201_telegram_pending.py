"""telegram: what a chat's two-step command waits on (the plan chosen, the amount)

Revision ID: 20261201_telegram_pending
Revises: 20261201_crm_timeline
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_telegram_pending"
down_revision: str | Sequence[str] | None = "20261201_crm_timeline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("telegram_chat") as batch:
        batch.add_column(sa.Column("pending", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("telegram_chat") as batch:
        batch.drop_column("pending")
