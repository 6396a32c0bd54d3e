"""crm: who wrote an interaction, a message's delivery state, closing a contact request

Revision ID: 20261201_crm_timeline
Revises: 20261201_bus_cursor
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_crm_timeline"
down_revision: str | Sequence[str] | None = "20261201_bus_cursor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crm_interaction") as table:
        table.add_column(sa.Column("status", sa.String(length=16), nullable=True))
        table.add_column(sa.Column("recorded_by", sa.String(length=36), nullable=True))
    op.create_index("ix_crm_interaction_subject", "crm_interaction", ["subject_kind", "subject_id"], unique=False)
    with op.batch_alter_table("crm_contact_request") as table:
        table.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("closed_by", sa.String(length=36), nullable=True))
        table.add_column(sa.Column("close_note", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crm_contact_request") as table:
        table.drop_column("close_note")
        table.drop_column("closed_by")
        table.drop_column("closed_at")
    op.drop_index("ix_crm_interaction_subject", table_name="crm_interaction")
    with op.batch_alter_table("crm_interaction") as table:
        table.drop_column("recorded_by")
        table.drop_column("status")
