"""crm: feedback surveys (NPS, CSAT, CES) and their answers

Revision ID: 20261202_crm_feedback
Revises: 20261202_privacy_consents
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_crm_feedback"
down_revision: str | Sequence[str] | None = "20261202_privacy_consents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_survey",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("interaction_id", sa.String(length=36), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column("answer_channel", sa.String(length=16), nullable=True),
        sa.Column("follow_up_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_survey")),
    )
    op.create_index("ix_crm_survey_customer", "crm_survey", ["customer_id", "offered_at"], unique=False)
    op.create_index("ix_crm_survey_answered", "crm_survey", ["kind", "answered_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_crm_survey_answered", table_name="crm_survey")
    op.drop_index("ix_crm_survey_customer", table_name="crm_survey")
    op.drop_table("crm_survey")
