"""crm: contact requests become tickets (category, priority, queue, SLA clocks), their thread,
attachments, the business calendar's extra days off, SLA warnings and breaches, queue members

Revision ID: 20261202_crm_tickets
Revises: 20261202_privacy_erasure
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_crm_tickets"
down_revision: str | Sequence[str] | None = "20261202_privacy_erasure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("crm_contact_request") as batch:
        batch.add_column(sa.Column("category", sa.String(length=16), server_default="question", nullable=False))
        batch.add_column(sa.Column("priority", sa.String(length=8), server_default="normal", nullable=False))
        batch.add_column(sa.Column("service", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("queue", sa.String(length=24), server_default="general", nullable=False))
        batch.add_column(sa.Column("assigned_to", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("first_response_at", _TIME, nullable=True))
        batch.add_column(sa.Column("first_response_due", _TIME, nullable=True))
        batch.add_column(sa.Column("resolution_due", _TIME, nullable=True))
        batch.add_column(sa.Column("resolved_at", _TIME, nullable=True))
        batch.add_column(sa.Column("merged_into", sa.String(length=36), nullable=True))
    op.create_index("ix_crm_contact_request_queue", "crm_contact_request", ["queue", "status"], unique=False)
    op.create_index(
        "ix_crm_contact_request_customer", "crm_contact_request", ["customer_id", "opened_at"], unique=False
    )
    op.create_table(
        "crm_ticket_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=36), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_ticket_message")),
    )
    op.create_index("ix_crm_ticket_message_ticket", "crm_ticket_message", ["ticket_id", "created_at"], unique=False)
    op.create_table(
        "crm_ticket_attachment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_ticket_attachment")),
    )
    op.create_index("ix_crm_ticket_attachment_ticket", "crm_ticket_attachment", ["ticket_id"], unique=False)
    op.create_table(
        "crm_day_off",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("added_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_crm_day_off")),
    )
    op.create_table(
        "crm_sla_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("queue", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("due_at", _TIME, nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_sla_event")),
        sa.UniqueConstraint("ticket_id", "kind", "level", name="uq_crm_sla_event"),
    )
    op.create_index("ix_crm_sla_event_recorded", "crm_sla_event", ["recorded_at"], unique=False)
    op.create_table(
        "crm_queue_member",
        sa.Column("queue", sa.String(length=24), nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("queue", "staff_id", name=op.f("pk_crm_queue_member")),
    )


def downgrade() -> None:
    op.drop_table("crm_queue_member")
    op.drop_index("ix_crm_sla_event_recorded", table_name="crm_sla_event")
    op.drop_table("crm_sla_event")
    op.drop_table("crm_day_off")
    op.drop_index("ix_crm_ticket_attachment_ticket", table_name="crm_ticket_attachment")
    op.drop_table("crm_ticket_attachment")
    op.drop_index("ix_crm_ticket_message_ticket", table_name="crm_ticket_message")
    op.drop_table("crm_ticket_message")
    op.drop_index("ix_crm_contact_request_customer", table_name="crm_contact_request")
    op.drop_index("ix_crm_contact_request_queue", table_name="crm_contact_request")
    with op.batch_alter_table("crm_contact_request") as batch:
        for column in ("merged_into", "resolved_at", "resolution_due", "first_response_due", "first_response_at",
                       "assigned_to", "queue", "service", "priority", "category"):  # fmt: skip
            batch.drop_column(column)
