"""telegram: the line a chat chose for change plan and pay (a customer with several lines)

Revision ID: 20261202_telegram_line
Revises: 20261201_telegram_pending
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_telegram_line"
down_revision: str | Sequence[str] | None = "20261201_telegram_pending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("telegram_chat") as batch:
        batch.add_column(sa.Column("line", sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("telegram_chat") as batch:
        batch.drop_column("line")
