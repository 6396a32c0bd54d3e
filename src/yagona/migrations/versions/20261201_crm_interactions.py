"""crm: the interactions timeline and the customers' requests to the call-centre

Revision ID: 20261201_crm_interactions
Revises: 20261130_wallet_biller_confirm
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_crm_interactions"
down_revision: str | Sequence[str] | None = "20261130_wallet_biller_confirm"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_interaction",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("subject_kind", sa.String(length=40), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_interaction")),
    )
    op.create_index("ix_crm_interaction_customer", "crm_interaction", ["customer_id", "occurred_at"], unique=False)
    op.create_table(
        "crm_contact_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_contact_request")),
    )
    op.create_index("ix_crm_contact_request_status", "crm_contact_request", ["status", "opened_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_crm_contact_request_status", table_name="crm_contact_request")
    op.drop_table("crm_contact_request")
    op.drop_index("ix_crm_interaction_customer", table_name="crm_interaction")
    op.drop_table("crm_interaction")
