"""ussd: the gateways that may call the USSD endpoint, its sessions, a phone's language

Revision ID: 20261201_ussd_sessions
Revises: 20261201_reminders
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_ussd_sessions"
down_revision: str | Sequence[str] | None = "20261201_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ussd_gateway",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ussd_gateway")),
    )
    op.create_table(
        "ussd_session",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("gateway", sa.String(length=40), nullable=False),
        sa.Column("session_ref", sa.String(length=64), nullable=False),
        sa.Column("msisdn", sa.String(length=12), nullable=False),
        sa.Column("service_code", sa.String(length=20), nullable=False),
        sa.Column("inputs_seen", sa.Integer(), nullable=False),
        sa.Column("stack", sa.JSON(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("last_reply", sa.Text(), nullable=False),
        sa.Column("recorded", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ussd_session")),
        sa.UniqueConstraint("gateway", "session_ref", name=op.f("uq_ussd_session_gateway_session_ref")),
    )
    op.create_index("ix_ussd_session_updated", "ussd_session", ["updated_at"], unique=False)
    op.create_table(
        "ussd_language",
        sa.Column("msisdn", sa.String(length=12), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("msisdn", name=op.f("pk_ussd_language")),
    )


def downgrade() -> None:
    op.drop_table("ussd_language")
    op.drop_index("ix_ussd_session_updated", table_name="ussd_session")
    op.drop_table("ussd_session")
    op.drop_table("ussd_gateway")
