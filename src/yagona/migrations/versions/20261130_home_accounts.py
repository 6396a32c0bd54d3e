"""home: home-internet accounts (contract, address, plan, state) and their IPTV packages

Revision ID: 20261130_home_accounts
Revises: 20261129_payments
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_home_accounts"
down_revision: str | Sequence[str] | None = "20261130_payments_credentials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_account",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("contract", sa.String(length=8), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("next_plan_id", sa.String(length=64), nullable=True),
        sa.Column("equipment", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_charge_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_charged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_account")),
        sa.UniqueConstraint("contract", name=op.f("uq_home_account_contract")),
    )
    op.create_index(op.f("ix_home_account_customer_id"), "home_account", ["customer_id"], unique=False)
    op.create_index(op.f("ix_home_account_state"), "home_account", ["state"], unique=False)
    op.create_table(
        "home_addon",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["home_account.id"], name=op.f("fk_home_addon_account_id_home_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_addon")),
        sa.UniqueConstraint("account_id", "package_id", name=op.f("uq_home_addon_account_id_package_id")),
    )
    op.create_index(op.f("ix_home_addon_account_id"), "home_addon", ["account_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_home_addon_account_id"), table_name="home_addon")
    op.drop_table("home_addon")
    op.drop_index(op.f("ix_home_account_state"), table_name="home_account")
    op.drop_index(op.f("ix_home_account_customer_id"), table_name="home_account")
    op.drop_table("home_account")
