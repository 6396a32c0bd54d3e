"""privacy: legal holds, erasures done, retention passes (issue 16, parts 3 and 6); the most
sensitive personal fields (birth dates, identity documents) become sealed text (part 8).

Existing rows keep their plain values until `yagona privacy rotate-keys` seals them (a value
without the `$f$<key id>$` prefix is read as it is): run it once after this upgrade.

Revision ID: 20261202_privacy_erasure
Revises: 20261202_crm_assistant
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_privacy_erasure"
down_revision: str | Sequence[str] | None = "20261202_crm_assistant"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_legal_hold",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_legal_hold")),
    )
    op.create_index(op.f("ix_privacy_legal_hold_customer_id"), "privacy_legal_hold", ["customer_id"], unique=False)
    op.create_table(
        "privacy_erasure",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_erasure")),
    )
    op.create_index(op.f("ix_privacy_erasure_customer_id"), "privacy_erasure", ["customer_id"], unique=False)
    op.create_table(
        "privacy_retention_run",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_privacy_retention_run")),
    )

    for table, column, old, nullable in SEALED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=old,
                type_=sa.Text(),
                existing_nullable=nullable,
                postgresql_using=f"{column}::text",
            )


# The columns sealed at rest: (table, column, their type before, nullable).
SEALED = (
    ("identity_customer", "birth_date", sa.Date(), True),
    ("wallet_account", "birth_date", sa.Date(), False),
    ("wallet_account", "identity_document", sa.String(length=40), True),
)


def downgrade() -> None:
    # Back to plain types: only rows not sealed (or unsealed first) convert.
    for table, column, old, nullable in SEALED:
        cast = "date" if isinstance(old, sa.Date) else "varchar(40)"
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.Text(),
                type_=old,
                existing_nullable=nullable,
                postgresql_using=f"{column}::{cast}",
            )
    op.drop_table("privacy_retention_run")
    op.drop_index(op.f("ix_privacy_erasure_customer_id"), table_name="privacy_erasure")
    op.drop_table("privacy_erasure")
    op.drop_index(op.f("ix_privacy_legal_hold_customer_id"), table_name="privacy_legal_hold")
    op.drop_table("privacy_legal_hold")
