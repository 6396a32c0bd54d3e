"""privacy: consents per purpose, published documents and their acceptances, staff access
grants, disclosures to state bodies, refused attempts

Revision ID: 20261202_privacy_consents
Revises: 20261202_crm_tickets
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_privacy_consents"
down_revision: str | Sequence[str] | None = "20261202_crm_tickets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "privacy_consent_event",
        sa.Column("seq", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("document_version", sa.String(length=40), nullable=True),
        _at("recorded_at"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_privacy_consent_event")),
    )
    op.create_index(
        "ix_privacy_consent_event_customer", "privacy_consent_event", ["customer_id", "purpose", "seq"], unique=False
    )
    op.create_table(
        "privacy_document",
        sa.Column("seq", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("needs_acceptance", sa.Boolean(), nullable=False),
        _at("published_at"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_privacy_document")),
        sa.UniqueConstraint("kind", "version", name="uq_privacy_document_version"),
    )
    op.create_table(
        "privacy_document_acceptance",
        sa.Column("seq", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        _at("accepted_at"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_privacy_document_acceptance")),
    )
    op.create_index(
        "ix_privacy_document_acceptance_customer",
        "privacy_document_acceptance",
        ["customer_id", "kind"],
        unique=False,
    )
    op.create_table(
        "privacy_access_grant",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("emergency", sa.String(length=20), nullable=True),
        sa.Column("supervisor_id", sa.String(length=36), nullable=True),
        sa.Column("code_digest", sa.String(length=64), nullable=True),
        sa.Column("code_attempts", sa.Integer(), nullable=False),
        sa.Column("approved_via", sa.String(length=12), nullable=True),
        _at("requested_at"),
        _at("decided_at", nullable=True),
        _at("expires_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_access_grant")),
    )
    op.create_index(
        "ix_privacy_access_grant_customer", "privacy_access_grant", ["customer_id", "requested_at"], unique=False
    )
    op.create_index("ix_privacy_access_grant_staff", "privacy_access_grant", ["staff_id", "customer_id"], unique=False)
    op.create_table(
        "privacy_disclosure",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("given", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        _at("disclosed_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_disclosure")),
    )
    op.create_index(
        "ix_privacy_disclosure_customer", "privacy_disclosure", ["customer_id", "disclosed_at"], unique=False
    )
    op.create_table(
        "privacy_refused_attempt",
        sa.Column("seq", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        _at("occurred_at"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_privacy_refused_attempt")),
    )
    # The marketing opt-ins given before consents moved here: kept as consents, from sign-up.
    op.execute(
        "INSERT INTO privacy_consent_event (customer_id, purpose, given, channel, document_version, recorded_at) "
        "SELECT id, 'marketing', marketing_opt_in, 'signup', NULL, created_at FROM identity_customer "
        "WHERE marketing_opt_in"
    )


def downgrade() -> None:
    op.drop_table("privacy_refused_attempt")
    op.drop_index("ix_privacy_disclosure_customer", table_name="privacy_disclosure")
    op.drop_table("privacy_disclosure")
    op.drop_index("ix_privacy_access_grant_staff", table_name="privacy_access_grant")
    op.drop_index("ix_privacy_access_grant_customer", table_name="privacy_access_grant")
    op.drop_table("privacy_access_grant")
    op.drop_index("ix_privacy_document_acceptance_customer", table_name="privacy_document_acceptance")
    op.drop_table("privacy_document_acceptance")
    op.drop_table("privacy_document")
    op.drop_index("ix_privacy_consent_event_customer", table_name="privacy_consent_event")
    op.drop_table("privacy_consent_event")
