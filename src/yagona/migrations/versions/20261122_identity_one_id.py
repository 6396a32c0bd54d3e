"""identity and notify: customers, credentials, OTP, sessions, audit, OIDC, OneID; message outbox

Revision ID: 20261122_identity
Revises: 20261122_ledger
Create Date: 2026-11-22 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261122_identity"
down_revision: str | None = "20261122_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_attempt_counter",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "subject", name=op.f("pk_identity_attempt_counter")),
    )
    op.create_table(
        "identity_audit_event",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("subject", sa.String(length=120), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_identity_audit_event")),
    )
    with op.batch_alter_table("identity_audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_audit_event_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "identity_authorization_code",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=False),
        sa.Column("auth_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_authorization_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_identity_authorization_code_code_hash")),
    )
    op.create_table(
        "identity_customer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("verification_level", sa.String(length=20), nullable=False),
        sa.Column("pinfl", sa.String(length=14), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("pin_hash", sa.String(length=200), nullable=True),
        sa.Column("totp_secret_sealed", sa.Text(), nullable=True),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=False),
        sa.Column("marketing_opt_in", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_customer")),
        sa.UniqueConstraint("pinfl", name=op.f("uq_identity_customer_pinfl")),
    )
    op.create_table(
        "identity_oauth_client",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("post_logout_redirect_uris", sa.JSON(), nullable=False),
        sa.Column("first_party", sa.Boolean(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("grant_types", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_identity_oauth_client")),
    )
    op.create_table(
        "identity_oauth_token",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("code_id", sa.String(length=36), nullable=True),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("access_token_hash", sa.String(length=64), nullable=False),
        sa.Column("refresh_token_hash", sa.String(length=64), nullable=True),
        sa.Column("auth_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refresh_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refresh_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_oauth_token")),
        sa.UniqueConstraint("access_token_hash", name=op.f("uq_identity_oauth_token_access_token_hash")),
        sa.UniqueConstraint("refresh_token_hash", name=op.f("uq_identity_oauth_token_refresh_token_hash")),
    )
    with op.batch_alter_table("identity_oauth_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_oauth_token_code_id"), ["code_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_oauth_token_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_oauth_token_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_oauth_token_session_id"), ["session_id"], unique=False)

    op.create_table(
        "identity_oneid_state",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_identity_oneid_state")),
    )
    op.create_table(
        "identity_otp",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("phone", sa.String(length=12), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_otp")),
    )
    with op.batch_alter_table("identity_otp", schema=None) as batch_op:
        batch_op.create_index("ix_identity_otp_phone_purpose", ["phone", "purpose", "created_at"], unique=False)

    op.create_table(
        "identity_signing_key",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=10), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_key_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_identity_signing_key")),
    )
    op.create_table(
        "notify_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("body_sealed", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_message")),
    )
    with op.batch_alter_table("notify_message", schema=None) as batch_op:
        batch_op.create_index("ix_notify_message_recipient", ["recipient", "created_at"], unique=False)
        batch_op.create_index("ix_notify_message_status", ["status", "created_at"], unique=False)

    op.create_table(
        "identity_consent",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("document", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["identity_customer.id"], name=op.f("fk_identity_consent_customer_id_identity_customer")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_identity_consent")),
    )
    with op.batch_alter_table("identity_consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_consent_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "identity_device",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["identity_customer.id"], name=op.f("fk_identity_device_customer_id_identity_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_device")),
        sa.UniqueConstraint("customer_id", "fingerprint", name=op.f("uq_identity_device_customer_id_fingerprint")),
    )
    op.create_table(
        "identity_linked_service",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["identity_customer.id"],
            name=op.f("fk_identity_linked_service_customer_id_identity_customer"),
        ),
        sa.PrimaryKeyConstraint("customer_id", "kind", "reference", name=op.f("pk_identity_linked_service")),
        sa.UniqueConstraint("kind", "reference", name=op.f("uq_identity_linked_service_kind_reference")),
    )
    op.create_table(
        "identity_oauth_consent",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["identity_oauth_client.client_id"],
            name=op.f("fk_identity_oauth_consent_client_id_identity_oauth_client"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["identity_customer.id"],
            name=op.f("fk_identity_oauth_consent_customer_id_identity_customer"),
        ),
        sa.PrimaryKeyConstraint("customer_id", "client_id", name=op.f("pk_identity_oauth_consent")),
    )
    op.create_table(
        "identity_phone",
        sa.Column("phone", sa.String(length=12), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["identity_customer.id"], name=op.f("fk_identity_phone_customer_id_identity_customer")
        ),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_identity_phone")),
    )
    with op.batch_alter_table("identity_phone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_phone_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "identity_session",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["identity_customer.id"], name=op.f("fk_identity_session_customer_id_identity_customer")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["identity_device.id"], name=op.f("fk_identity_session_device_id_identity_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_identity_session_token_hash")),
    )
    with op.batch_alter_table("identity_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_session_customer_id"), ["customer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("identity_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_session_customer_id"))

    op.drop_table("identity_session")
    with op.batch_alter_table("identity_phone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_phone_customer_id"))

    op.drop_table("identity_phone")
    op.drop_table("identity_oauth_consent")
    op.drop_table("identity_linked_service")
    op.drop_table("identity_device")
    with op.batch_alter_table("identity_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_consent_customer_id"))

    op.drop_table("identity_consent")
    with op.batch_alter_table("notify_message", schema=None) as batch_op:
        batch_op.drop_index("ix_notify_message_status")
        batch_op.drop_index("ix_notify_message_recipient")

    op.drop_table("notify_message")
    op.drop_table("identity_signing_key")
    with op.batch_alter_table("identity_otp", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_otp_phone_purpose")

    op.drop_table("identity_otp")
    op.drop_table("identity_oneid_state")
    with op.batch_alter_table("identity_oauth_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_oauth_token_session_id"))
        batch_op.drop_index(batch_op.f("ix_identity_oauth_token_family_id"))
        batch_op.drop_index(batch_op.f("ix_identity_oauth_token_customer_id"))
        batch_op.drop_index(batch_op.f("ix_identity_oauth_token_code_id"))

    op.drop_table("identity_oauth_token")
    op.drop_table("identity_oauth_client")
    op.drop_table("identity_customer")
    op.drop_table("identity_authorization_code")
    with op.batch_alter_table("identity_audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_audit_event_customer_id"))

    op.drop_table("identity_audit_event")
    op.drop_table("identity_attempt_counter")
