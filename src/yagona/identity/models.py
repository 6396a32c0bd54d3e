"""Identity tables. Secrets are stored only as hashes (Argon2id for passwords and PINs,
keyed or plain SHA-256 for codes and random tokens); signing keys are sealed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yagona.platform.db import Base, UtcDateTime
from yagona.platform.sealing import SealedDate, SealedText

BigId = BigInteger().with_variant(Integer, "sqlite")


class Customer(Base):
    __tablename__ = "identity_customer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(SealedDate)  # sealed at rest (seed 003, 16)
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    verification_level: Mapped[str] = mapped_column(String(20))
    # PINFL from the national OneID: 14 digits, one person, one customer. Sealed at rest;
    # found (and kept unique) by its keyed hash (`repository.set_pinfl`, `customer_by_pinfl`),
    # which `yagona privacy rotate-keys` recomputes under the current field key.
    pinfl: Mapped[str | None] = mapped_column(SealedText)
    pinfl_lookup: Mapped[str | None] = mapped_column(String(80), unique=True, info={"lookup_of": "pinfl"})
    password_hash: Mapped[str | None] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret_sealed: Mapped[str | None] = mapped_column(Text)
    totp_enabled: Mapped[bool] = mapped_column(Boolean)
    # The last TOTP time step accepted: a code is accepted once.
    totp_last_step: Mapped[int] = mapped_column(BigInteger)
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Phone(Base):
    __tablename__ = "identity_phone"

    phone: Mapped[str] = mapped_column(String(12), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("identity_customer.id"), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Otp(Base):
    __tablename__ = "identity_otp"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    phone: Mapped[str] = mapped_column(String(12))
    purpose: Mapped[str] = mapped_column(String(20))
    # HMAC-SHA-256 over (request id, phone, purpose, code): bound to its request.
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_identity_otp_phone_purpose", "phone", "purpose", "created_at"),)


class AttemptCounter(Base):
    """Fixed-window counters, incremented atomically before a check is made."""

    __tablename__ = "identity_attempt_counter"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    count: Mapped[int] = mapped_column(Integer)


class Device(Base):
    __tablename__ = "identity_device"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("identity_customer.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("customer_id", "fingerprint"),)


class SignInSession(Base):
    __tablename__ = "identity_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("identity_customer.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(ForeignKey("identity_device.id"))
    methods: Mapped[list[str]] = mapped_column(JSON)
    # The phone whose SMS code (or password) opened the session; None for the national OneID.
    signed_in_phone: Mapped[str | None] = mapped_column(String(12))
    authenticated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuditEvent(Base):
    """Every security event, written in the same transaction as the change."""

    __tablename__ = "identity_audit_event"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(60))
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    subject: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StaffMember(Base):
    """A member of staff (the call-centre, the offices): not a customer. Signs in to the
    console with a password and an authenticator code, both required."""

    __tablename__ = "identity_staff_member"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # A phone (998…) or a login name, lower-case: what the sign-in form asks.
    login: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_sealed: Mapped[str] = mapped_column(Text)
    totp_last_step: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class StaffSession(Base):
    """A console session: ends after `idle` without a request, or at `expires_at` whatever."""

    __tablename__ = "identity_staff_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("identity_staff_member.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LinkedService(Base):
    __tablename__ = "identity_linked_service"

    customer_id: Mapped[str] = mapped_column(ForeignKey("identity_customer.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("kind", "reference"),)


class Consent(Base):
    """An accepted document version, or the marketing opt-in, with its time."""

    __tablename__ = "identity_consent"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("identity_customer.id"), index=True)
    document: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(20))
    granted: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OAuthClient(Base):
    __tablename__ = "identity_oauth_client"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    first_party: Mapped[bool] = mapped_column(Boolean)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    grant_types: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OAuthConsent(Base):
    __tablename__ = "identity_oauth_consent"

    customer_id: Mapped[str] = mapped_column(ForeignKey("identity_customer.id"), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("identity_oauth_client.client_id"), primary_key=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuthorizationCode(Base):
    __tablename__ = "identity_authorization_code"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(36))
    session_id: Mapped[str | None] = mapped_column(String(36))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(String(255))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    auth_time: Mapped[datetime] = mapped_column(UtcDateTime())
    methods: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OAuthToken(Base):
    """An access token and its refresh token. A refresh rotates: the row is used once and
    a new row joins the same family; using a used refresh token revokes the family."""

    __tablename__ = "identity_oauth_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)
    code_id: Mapped[str | None] = mapped_column(String(36), index=True)
    scope: Mapped[str] = mapped_column(Text)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    auth_time: Mapped[datetime | None] = mapped_column(UtcDateTime())
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    access_expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    refresh_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SigningKey(Base):
    __tablename__ = "identity_signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(10))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The private key as PEM, sealed with a key derived from YAGONA_SECRET_KEY.
    private_key_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OneIdState(Base):
    """A login started at the national OneID: the random `state`, checked on return."""

    __tablename__ = "identity_oneid_state"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
