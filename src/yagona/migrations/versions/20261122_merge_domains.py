"""merge: lines, identity and wallet, built side by side from the ledger revision

Revision ID: 20261122_merge
Revises: 20261122_lines, 20261122_identity, 20261122_wallet
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "20261122_merge"
down_revision: str | Sequence[str] | None = ("20261122_lines", "20261122_identity", "20261122_wallet")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to do: the three branches touch different tables."""


def downgrade() -> None:
    """Nothing to do."""
