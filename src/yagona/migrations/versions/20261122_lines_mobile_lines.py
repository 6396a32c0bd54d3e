"""lines: mobile lines, bundles, rated usage, promo subscriptions

Revision ID: 20261122_lines
Revises: 20261122_ledger
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261122_lines"
down_revision: str | None = "20261122_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lines_line",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("msisdn", sa.String(length=15), nullable=False),
        sa.Column("plan_id", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("block_reason", sa.String(length=16), nullable=True),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_charge_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lines_line")),
        sa.UniqueConstraint("msisdn", name=op.f("uq_lines_line_msisdn")),
    )
    op.create_table(
        "lines_promo",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("msisdn", sa.String(length=15), nullable=False),
        sa.Column("promo_id", sa.String(length=60), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("free_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lines_promo")),
        sa.UniqueConstraint("msisdn", "promo_id", name=op.f("uq_lines_promo_msisdn_promo_id")),
    )
    op.create_table(
        "lines_bundle",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("granted", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["line_id"], ["lines_line.id"], name=op.f("fk_lines_bundle_line_id_lines_line")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lines_bundle")),
    )
    with op.batch_alter_table("lines_bundle", schema=None) as batch_op:
        batch_op.create_index("ix_lines_bundle_line_key", ["line_id", "key"], unique=False)

    op.create_table(
        "lines_usage",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(length=80), nullable=False),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("destination", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("from_bundle", sa.BigInteger(), nullable=False),
        sa.Column("charged", sa.BigInteger(), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["lines_line.id"], name=op.f("fk_lines_usage_line_id_lines_line")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lines_usage")),
        sa.UniqueConstraint("record_id", name=op.f("uq_lines_usage_record_id")),
    )
    with op.batch_alter_table("lines_usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lines_usage_line_id"), ["line_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lines_usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lines_usage_line_id"))

    op.drop_table("lines_usage")
    with op.batch_alter_table("lines_bundle", schema=None) as batch_op:
        batch_op.drop_index("ix_lines_bundle_line_key")

    op.drop_table("lines_bundle")
    op.drop_table("lines_promo")
    op.drop_table("lines_line")
