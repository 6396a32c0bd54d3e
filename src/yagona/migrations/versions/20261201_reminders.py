"""reminders: the reminder engine's log and the customers' reminder preferences

Revision ID: 20261201_reminders
Revises: 20261201_telegram_chats
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_reminders"
down_revision: str | Sequence[str] | None = "20261201_telegram_chats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reminders_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("message_id", sa.String(length=36), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_log")),
    )
    op.create_index("ix_reminders_log_customer_at", "reminders_log", ["customer_id", "at"])
    op.create_index("ix_reminders_log_subject", "reminders_log", ["customer_id", "rule", "subject", "at"])
    op.create_table(
        "reminders_preference",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("opted_out", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_reminders_preference")),
    )


def downgrade() -> None:
    op.drop_table("reminders_preference")
    op.drop_index("ix_reminders_log_subject", table_name="reminders_log")
    op.drop_index("ix_reminders_log_customer_at", table_name="reminders_log")
    op.drop_table("reminders_log")
