"""analytics: the offers made to customers (the next-best offer as a record)

Revision ID: 20261203_analytics_offers
Revises: 20261203_privacy_pinfl
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203_analytics_offers"
down_revision: str | Sequence[str] | None = "20261203_privacy_pinfl"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_offer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("msisdn", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("plan", sa.String(length=64), nullable=True),
        sa.Column("reward", sa.String(length=64), nullable=True),
        sa.Column("saving_tiyin", sa.BigInteger(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("risk", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_offer")),
    )
    op.create_index("ix_analytics_offer_customer", "analytics_offer", ["customer_id", "made_at"], unique=False)
    op.create_index("ix_analytics_offer_line", "analytics_offer", ["msisdn", "made_at"], unique=False)
    op.create_index("ix_analytics_offer_made", "analytics_offer", ["made_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_analytics_offer_made", table_name="analytics_offer")
    op.drop_index("ix_analytics_offer_line", table_name="analytics_offer")
    op.drop_index("ix_analytics_offer_customer", table_name="analytics_offer")
    op.drop_table("analytics_offer")
