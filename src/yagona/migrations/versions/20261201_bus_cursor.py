"""platform: the outbox cursor of each deferred consumer (the loyalty drain)

Revision ID: 20261201_bus_cursor
Revises: 20261201_ledger_post_function
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_bus_cursor"
down_revision: str | Sequence[str] | None = "20261201_ledger_post_function"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "platform_consumer_cursor",
        sa.Column("consumer", sa.String(length=120), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gap_seq", sa.BigInteger(), nullable=True),
        sa.Column("gap_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_platform_consumer_cursor")),
    )


def downgrade() -> None:
    op.drop_table("platform_consumer_cursor")
