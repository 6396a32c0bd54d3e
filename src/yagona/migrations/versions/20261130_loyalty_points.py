"""loyalty: members, points lots and history (the points themselves are ledger accounts);
lines_fee_discount, the reward a line's next monthly fee takes

Revision ID: 20261130_loyalty_points
Revises: 20261129_payments
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_loyalty_points"
down_revision: str | Sequence[str] | None = "20261130_home_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loyalty_alias",
        sa.Column("phone", sa.String(length=15), nullable=False),
        sa.Column("member_phone", sa.String(length=15), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_loyalty_alias")),
    )
    op.create_table(
        "loyalty_member",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("phone", sa.String(length=15), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("carry_tiyin", sa.BigInteger(), nullable=False),
        sa.Column("debt_points", sa.BigInteger(), nullable=False),
        sa.Column("kinds", sa.String(length=120), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_member")),
        sa.UniqueConstraint("phone", name=op.f("uq_loyalty_member_phone")),
    )
    op.create_table(
        "lines_fee_discount",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["line_id"], ["lines_line.id"], name=op.f("fk_lines_fee_discount_line_id_lines_line")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lines_fee_discount")),
        sa.UniqueConstraint("reference", name=op.f("uq_lines_fee_discount_reference")),
    )
    with op.batch_alter_table("lines_fee_discount", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lines_fee_discount_line_id"), ["line_id"], unique=False)

    op.create_table(
        "loyalty_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("spend_tiyin", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["loyalty_member.id"], name=op.f("fk_loyalty_entry_member_id_loyalty_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_entry")),
    )
    with op.batch_alter_table("loyalty_entry", schema=None) as batch_op:
        batch_op.create_index("ix_loyalty_entry_member_at", ["member_id", "at"], unique=False)
        batch_op.create_index("ix_loyalty_entry_reference", ["reference"], unique=False)

    op.create_table(
        "loyalty_lot",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("earned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["loyalty_member.id"], name=op.f("fk_loyalty_lot_member_id_loyalty_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_lot")),
    )
    with op.batch_alter_table("loyalty_lot", schema=None) as batch_op:
        batch_op.create_index("ix_loyalty_lot_member_expires", ["member_id", "expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("loyalty_lot", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_lot_member_expires")

    op.drop_table("loyalty_lot")
    with op.batch_alter_table("loyalty_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_entry_reference")
        batch_op.drop_index("ix_loyalty_entry_member_at")

    op.drop_table("loyalty_entry")
    with op.batch_alter_table("lines_fee_discount", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lines_fee_discount_line_id"))

    op.drop_table("lines_fee_discount")
    op.drop_table("loyalty_member")
    op.drop_table("loyalty_alias")
