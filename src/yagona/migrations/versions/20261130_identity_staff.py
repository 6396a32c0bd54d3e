"""identity: staff accounts of the console (password + authenticator) and their sessions

Revision ID: 20261130_identity_staff
Revises: 20261129_payments
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_identity_staff"
down_revision: str | Sequence[str] | None = "20261129_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_staff_member",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("login", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("totp_secret_sealed", sa.Text(), nullable=False),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_staff_member")),
        sa.UniqueConstraint("login", name=op.f("uq_identity_staff_member_login")),
    )
    op.create_table(
        "identity_staff_session",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["identity_staff_member.id"],
            name=op.f("fk_identity_staff_session_staff_id_identity_staff_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_staff_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_identity_staff_session_token_hash")),
    )
    op.create_index(op.f("ix_identity_staff_session_staff_id"), "identity_staff_session", ["staff_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_identity_staff_session_staff_id"), table_name="identity_staff_session")
    op.drop_table("identity_staff_session")
    op.drop_table("identity_staff_member")
