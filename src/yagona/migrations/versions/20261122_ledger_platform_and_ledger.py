"""platform and ledger: outbox, jobs, accounts, balances, transfers

Revision ID: 20261122_ledger
Revises:
Create Date: 2026-11-22 01:49:36.239707
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261122_ledger"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_account",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=120), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("allow_negative", sa.Boolean(), nullable=False),
        sa.Column("upper_limit", sa.BigInteger(), nullable=True),
        sa.Column("shards", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("shards >= 1", name=op.f("ck_ledger_account_shards_positive")),
        sa.CheckConstraint(
            "upper_limit IS NULL OR upper_limit >= 0", name=op.f("ck_ledger_account_upper_limit_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_account")),
        sa.UniqueConstraint("code", name=op.f("uq_ledger_account_code")),
    )
    with op.batch_alter_table("ledger_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_account_owner"), ["owner"], unique=False)

    op.create_table(
        "ledger_batch",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_batch")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_ledger_batch_idempotency_key")),
    )
    op.create_table(
        "platform_consumed_event",
        sa.Column("consumer", sa.String(length=120), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_platform_consumed_event")),
    )
    op.create_table(
        "platform_job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_job")),
        sa.UniqueConstraint("key", name=op.f("uq_platform_job_key")),
    )
    with op.batch_alter_table("platform_job", schema=None) as batch_op:
        batch_op.create_index("ix_platform_job_due", ["status", "due_at"], unique=False)

    op.create_table(
        "platform_outbox",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_platform_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_platform_outbox_event_id")),
    )
    with op.batch_alter_table("platform_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_platform_outbox_undispatched", ["dispatched_at", "seq"], unique=False)
        batch_op.create_index("ix_platform_outbox_unpublished", ["published_at", "seq"], unique=False)

    op.create_table(
        "ledger_balance",
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("debits_posted", sa.BigInteger(), nullable=False),
        sa.Column("credits_posted", sa.BigInteger(), nullable=False),
        sa.Column("debits_pending", sa.BigInteger(), nullable=False),
        sa.Column("credits_pending", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "debits_pending >= 0 AND credits_pending >= 0", name=op.f("ck_ledger_balance_pending_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["ledger_account.id"], name=op.f("fk_ledger_balance_account_id_ledger_account")
        ),
        sa.PrimaryKeyConstraint("account_id", "shard", name=op.f("pk_ledger_balance")),
    )
    op.create_table(
        "ledger_transfer",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("debit_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("debit_shard", sa.Integer(), nullable=False),
        sa.Column("credit_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("credit_shard", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("pending_id", sa.String(length=36), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('posted', 'pending', 'post_pending', 'void_pending')", name=op.f("ck_ledger_transfer_kind_known")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_ledger_transfer_amount_positive")),
        sa.CheckConstraint("debit_account_id <> credit_account_id", name=op.f("ck_ledger_transfer_two_accounts")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ledger_batch.id"], name=op.f("fk_ledger_transfer_batch_id_ledger_batch")
        ),
        sa.ForeignKeyConstraint(
            ["credit_account_id"],
            ["ledger_account.id"],
            name=op.f("fk_ledger_transfer_credit_account_id_ledger_account"),
        ),
        sa.ForeignKeyConstraint(
            ["debit_account_id"], ["ledger_account.id"], name=op.f("fk_ledger_transfer_debit_account_id_ledger_account")
        ),
        sa.ForeignKeyConstraint(
            ["pending_id"], ["ledger_transfer.id"], name=op.f("fk_ledger_transfer_pending_id_ledger_transfer")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_transfer")),
        sa.UniqueConstraint("id", name=op.f("uq_ledger_transfer_id")),
        sa.UniqueConstraint("pending_id", name=op.f("uq_ledger_transfer_pending_id")),
    )
    with op.batch_alter_table("ledger_transfer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_transfer_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_ledger_transfer_credit", ["credit_account_id", "seq"], unique=False)
        batch_op.create_index("ix_ledger_transfer_debit", ["debit_account_id", "seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_transfer", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_transfer_debit")
        batch_op.drop_index("ix_ledger_transfer_credit")
        batch_op.drop_index(batch_op.f("ix_ledger_transfer_batch_id"))

    op.drop_table("ledger_transfer")
    op.drop_table("ledger_balance")
    with op.batch_alter_table("platform_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_platform_outbox_unpublished")
        batch_op.drop_index("ix_platform_outbox_undispatched")

    op.drop_table("platform_outbox")
    with op.batch_alter_table("platform_job", schema=None) as batch_op:
        batch_op.drop_index("ix_platform_job_due")

    op.drop_table("platform_job")
    op.drop_table("platform_consumed_event")
    op.drop_table("ledger_batch")
    with op.batch_alter_table("ledger_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_account_owner"))

    op.drop_table("ledger_account")
