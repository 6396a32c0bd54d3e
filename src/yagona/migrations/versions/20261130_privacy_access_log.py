"""privacy: the access log of the staff console (who, when, what, why)

Revision ID: 20261130_privacy_access_log
Revises: 20261130_identity_staff
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_privacy_access_log"
down_revision: str | Sequence[str] | None = "20261130_identity_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_access_record",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_privacy_access_record")),
    )
    op.create_index("ix_privacy_access_record_customer", "privacy_access_record", ["customer_id", "seq"], unique=False)
    op.create_index("ix_privacy_access_record_staff", "privacy_access_record", ["staff_id", "seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_privacy_access_record_staff", table_name="privacy_access_record")
    op.drop_index("ix_privacy_access_record_customer", table_name="privacy_access_record")
    op.drop_table("privacy_access_record")
