"""identity: a session remembers the phone whose SMS code (or password) opened it, so an
operation on that phone (a wallet's PIN restore) can ask for "a session of that phone"

Revision ID: 20261129_identity_phone
Revises: 20261129_wallet
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261129_identity_phone"
down_revision: str | Sequence[str] | None = "20261129_wallet"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identity_session") as batch:
        batch.add_column(sa.Column("signed_in_phone", sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_session") as batch:
        batch.drop_column("signed_in_phone")
