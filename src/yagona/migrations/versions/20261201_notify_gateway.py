"""notify: delivery status from the SMS gateway (its id, parts, retries), push subscriptions

Revision ID: 20261201_notify_gateway
Revises: 20261201_ussd_sessions
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_notify_gateway"  # alembic_version holds 32 characters
down_revision: str | Sequence[str] | None = "20261201_ussd_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("urgent", "gateway_id", "encoding", "parts", "attempts", "not_before", "error", "status_at")


def upgrade() -> None:
    with op.batch_alter_table("notify_message") as batch:
        batch.add_column(sa.Column("urgent", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("gateway_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("encoding", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("parts", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("error", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("status_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_notify_message_gateway", ["gateway_id"])
    op.create_table(
        "notify_push_subscription",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("p256dh", sa.String(length=100), nullable=False),
        sa.Column("auth", sa.String(length=40), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_push_subscription")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_notify_push_subscription_endpoint")),
    )
    op.create_index("ix_notify_push_subscription_customer", "notify_push_subscription", ["customer_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_notify_push_subscription_customer", table_name="notify_push_subscription")
    op.drop_table("notify_push_subscription")
    with op.batch_alter_table("notify_message") as batch:
        batch.drop_index("ix_notify_message_gateway")
        for column in COLUMNS:
            batch.drop_column(column)
