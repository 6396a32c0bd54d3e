"""telegram: the bot's chats and their link to One ID

Revision ID: 20261201_telegram_chats
Revises: 20261201_crm_interactions
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_telegram_chats"
down_revision: str | Sequence[str] | None = "20261201_crm_interactions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_chat",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("phone", sa.String(length=12), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("session_sealed", sa.Text(), nullable=True),
        sa.Column("last_update_id", sa.BigInteger(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_telegram_chat")),
    )
    op.create_index("ix_telegram_chat_customer", "telegram_chat", ["customer_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_telegram_chat_customer", table_name="telegram_chat")
    op.drop_table("telegram_chat")
