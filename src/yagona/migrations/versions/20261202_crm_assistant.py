"""crm: the help assistant's turns (a signed-in customer's questions and what it answered)

Revision ID: 20261202_crm_assistant
Revises: 20261202_telegram_line
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_crm_assistant"
down_revision: str | Sequence[str] | None = "20261202_telegram_line"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_assistant_turn",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("article_id", sa.String(length=40), nullable=True),
        sa.Column("confidence_permille", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_assistant_turn")),
    )
    op.create_index(
        "ix_crm_assistant_turn_customer", "crm_assistant_turn", ["customer_id", "channel", "asked_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_crm_assistant_turn_customer", table_name="crm_assistant_turn")
    op.drop_table("crm_assistant_turn")
